import { create } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { EventSchema, EventType, IdentifierSchema } from '@pulse/proto';
import type { Event, Identifier } from '@pulse/proto';

import { InvalidEventError } from './errors.js';
import { parseEventTime, timestampFromMs } from './event-time.js';
import {
  IdentifierTypes,
  readEmail,
  readIdentifierValue,
  readPhone,
  readTypedIdentifier,
} from './identifiers.js';
import {
  EVENT_MAX_BYTES,
  IDENTIFIER_TYPE_MAX_BYTES,
  jsonByteLength,
  utf8ByteLength,
} from './limits.js';
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
  const identity = readIdentity(call, type, resolved, traits);
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

function readIdentity(
  call: Call,
  type: EventType,
  options: Resolved,
  traits?: JsonObject,
): CallIdentity {
  const userId = readIdentifierValue(call.userId, 'userId');
  const anonymousId = readIdentifierValue(call.anonymousId, 'anonymousId');
  const previousId = readIdentifierValue(call.previousId, 'previousId') ?? '';
  const groupId = readIdentifierValue(call.groupId, 'groupId') ?? '';
  const hasIds = { hasUserId: !!userId, hasAnonymousId: !!anonymousId };
  requireIdentity(type, { ...hasIds, previousId, groupId }, IDENTITY_REPORT);

  const identifiers: Identifier[] = [];
  const seen = new Set<string>();
  const add = (idType: string, value: string | undefined) => {
    const key = `${idType}\u0000${value}`;
    if (!value || seen.has(key)) return;
    seen.add(key);
    identifiers.push(create(IdentifierSchema, { type: idType, value }));
  };
  const context = isPlainObject(call.context) ? call.context : {};
  const contextTraits = isPlainObject(context.traits) ? context.traits : {};
  const device = isPlainObject(context.device) ? context.device : {};
  add(IdentifierTypes.USER_ID, userId);
  add(IdentifierTypes.ANONYMOUS_ID, anonymousId);
  // Contact details in traits link only when they are an address or a number.
  add(
    IdentifierTypes.EMAIL,
    readEmail(traits?.email, 'traits.email') ??
      readEmail(contextTraits.email, 'context.traits.email'),
  );
  add(
    IdentifierTypes.PHONE,
    readPhone(traits?.phone, 'traits.phone', options.phoneRegion) ??
      readPhone(contextTraits.phone, 'context.traits.phone', options.phoneRegion),
  );
  add(IdentifierTypes.DEVICE_ID, readIdentifierValue(device.id, 'context.device.id'));
  for (const external of readExternalIds(context.externalIds, options)) add(...external);
  return { identifiers, previousId, groupId };
}

/** Types an external id may not have: they have fields of their own, or name profiles. */
const RESERVED_EXTERNAL_TYPES = new Set(['user_id', 'anonymous_id', 'profile_id']);

/**
 * Segment's `context.externalIds`: `[{ id, type }]`, identifiers of any type
 * (a loyalty number, a CRM id). Types are lowercased; values follow their
 * type's rule, so a malformed email or phone here is an error naming it.
 */
function readExternalIds(value: unknown, options: Resolved): [string, string | undefined][] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new InvalidEventError('context.externalIds', 'must be an array', value);
  }
  return value.map((entry: unknown, index): [string, string | undefined] => {
    const path = childPath('context.externalIds', index);
    if (!isPlainObject(entry) || typeof entry.type !== 'string') {
      throw new InvalidEventError(`${path}.type`, 'must be a string', entry);
    }
    const type = entry.type.trim().toLowerCase();
    if (
      type === '' ||
      RESERVED_EXTERNAL_TYPES.has(type) ||
      utf8ByteLength(type) > IDENTIFIER_TYPE_MAX_BYTES
    ) {
      const reason =
        `must be a type of 1 to ${IDENTIFIER_TYPE_MAX_BYTES} bytes other than ` +
        `user_id and anonymous_id (sent as userId and anonymousId) and profile_id`;
      throw new InvalidEventError(`${path}.type`, reason, entry.type);
    }
    return [type, readTypedIdentifier(type, entry.id, `${path}.id`, options.phoneRegion)];
  });
}

function readCallTime(value: unknown, options: Resolved): number {
  if (value === undefined || value === null) {
    return checkEventTime(undefined, options);
  }
  const { defaultZone } = options;
  const ms = parseEventTime(value, 'timestamp', { defaultZone });
  return checkEventTime(ms, options);
}
