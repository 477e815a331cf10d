import { create } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { EventSchema, EventType, IdentifierSchema } from '@pulse/proto';
import type { Event, Identifier } from '@pulse/proto';

import { InvalidEventError } from './errors.js';
import { parseEventTime, timestampFromMs } from './event-time.js';
import { IdentifierTypes, readEmail, readIdentifierValue } from './identifiers.js';
import { EVENT_MAX_BYTES, jsonByteLength } from './limits.js';
import { resolveNormalizeOptions } from './normalize-options.js';
import type { NormalizeOptions } from './normalize-options.js';
import type { ResolvedNormalizeOptions as Resolved } from './normalize-options.js';
import { readEventType } from './segment-call.js';
import { readCommerce } from './internal/commerce.js';
import { readContext } from './internal/context.js';
import { assertJsonValue, childPath, isPlainObject } from './internal/json-value.js';
import { readJsonObject } from './internal/json-value.js';
import { canonicalJson, deriveMessageId, readMessageId } from './internal/message-id.js';
import { checkEventTime, readEventName, readPageName } from './internal/rules.js';
import { requireIdentity } from './internal/rules.js';

type Call = Record<string, unknown>;

const IDENTITY_REPORT = {
  field: 'userId',
  missing: 'is required when anonymousId is absent',
  aliasWithoutUser: 'is required for alias',
};

/**
 * Validates one parsed Segment-spec call and builds the canonical Event,
 * stamped with `receivedAt` and `source`. Throws {@link InvalidEventError}
 * naming the first field at fault; the README lists every outcome.
 */
export function normalizeEvent(input: unknown, options: NormalizeOptions): Event {
  const resolved = resolveNormalizeOptions(options);
  const call = readCall(input);
  const type = readEventType(call.type);
  const messageId = readCallMessageId(call) ?? derivedId(call, resolved);

  const traits = readTraits(call);
  const identity = readIdentity(call, type, traits);
  const event = readEventName(type, call.event);
  const timestampMs = readCallTime(call.timestamp, resolved);
  const allProperties = readJsonObject(call.properties, 'properties');
  const commerce = type === EventType.TRACK ? readCommerce(allProperties) : undefined;
  const properties = commerce ? withoutLineItems(allProperties!) : allProperties;

  return create(EventSchema, {
    messageId,
    type,
    event,
    name: readPageName(type, call.name),
    timestamp: timestampFromMs(timestampMs),
    receivedAt: timestampFromMs(resolved.receivedAtMs),
    source: resolved.source,
    ...identity,
    traits,
    properties,
    context: readContext(call.context),
    commerce,
  });
}

/**
 * The call's traits: top-level `traits` (identify, group), else
 * `context.traits`, where the spec puts what a track call knows of the user.
 */
function readTraits(call: Call): JsonObject | undefined {
  const traits = readJsonObject(call.traits, 'traits');
  if (traits) return traits;
  const context = isPlainObject(call.context) ? call.context : {};
  return readJsonObject(context.traits, 'context.traits');
}

/**
 * Properties without `products`: once read into `commerce.products` the line
 * items live there, typed, and are not stored a second time as a Struct (the
 * costliest part of an order to encode).
 */
function withoutLineItems(properties: JsonObject): JsonObject {
  if (!('products' in properties)) return properties;
  const rest = { ...properties };
  delete rest.products;
  return rest;
}

/** The call as an object: within the size limit and plain JSON throughout. */
function readCall(input: unknown): Call {
  if (!isPlainObject(input)) {
    const reason = 'is missing: the event must be a JSON object';
    throw new InvalidEventError('type', reason, input);
  }

  let bytes: number;
  try {
    bytes = jsonByteLength(input);
  } catch (err) {
    const reason = 'must be serializable as JSON';
    throw new InvalidEventError('$', reason, undefined, { cause: err });
  }
  if (bytes > EVENT_MAX_BYTES) {
    const limit = `the 32 KB limit (${EVENT_MAX_BYTES} bytes)`;
    throw new InvalidEventError('$', `is ${bytes} bytes of JSON, over ${limit}`, bytes);
  }

  // Top-level undefined members are absent, as in JSON; nested ones are rejected.
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) assertJsonValue(value, childPath('', key), 1);
  }
  return input;
}

function readCallMessageId(call: Call): string | undefined {
  const id = readMessageId(call.messageId, 'messageId');
  return id ?? readMessageId(call.message_id, 'message_id');
}

function derivedId(call: Call, options: Resolved): string {
  return deriveMessageId(options.source, canonicalJson(call));
}

interface CallIdentity {
  identifiers: Identifier[];
  previousId: string;
  groupId: string;
}

function readIdentity(call: Call, type: EventType, traits?: JsonObject): CallIdentity {
  const userId = readIdentifierValue(call.userId, 'userId');
  const anonymousId = readIdentifierValue(call.anonymousId, 'anonymousId');
  const previousId = readIdentifierValue(call.previousId, 'previousId') ?? '';
  const groupId = readIdentifierValue(call.groupId, 'groupId') ?? '';
  const hasIds = { hasUserId: !!userId, hasAnonymousId: !!anonymousId };
  requireIdentity(type, { ...hasIds, previousId, groupId }, IDENTITY_REPORT);

  const identifiers: Identifier[] = [];
  const add = (idType: string, value: string | undefined) => {
    if (value) identifiers.push(create(IdentifierSchema, { type: idType, value }));
  };
  add(IdentifierTypes.USER_ID, userId);
  add(IdentifierTypes.ANONYMOUS_ID, anonymousId);
  add(IdentifierTypes.EMAIL, readCallEmail(call, traits));
  return { identifiers, previousId, groupId };
}

/** `traits.email`, else `context.traits.email`: lowercased and trimmed. */
function readCallEmail(call: Call, traits?: JsonObject): string | undefined {
  const fromTraits = readEmail(traits?.email, 'traits.email');
  if (fromTraits) return fromTraits;
  const context = isPlainObject(call.context) ? call.context : {};
  const contextTraits = isPlainObject(context.traits) ? context.traits : {};
  return readEmail(contextTraits.email, 'context.traits.email');
}

function readCallTime(value: unknown, options: Resolved): number {
  if (value === undefined || value === null) {
    return checkEventTime(undefined, options);
  }
  const { defaultZone } = options;
  const ms = parseEventTime(value, 'timestamp', { defaultZone });
  return checkEventTime(ms, options);
}
