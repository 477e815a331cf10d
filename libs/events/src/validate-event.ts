import { clone, create, toBinary } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { EventSchema, EventType, IdentifierSchema } from '@pulse/proto';
import type { Commerce, Event, Identifier } from '@pulse/proto';

import { InvalidEventError } from './errors.js';
import { timestampFromMs, timestampToMs } from './event-time.js';
import { IdentifierTypes, readIdentifierValue, readTypedIdentifier } from './identifiers.js';
import {
  AMOUNT_MAX,
  EVENT_MAX_BYTES,
  IDENTIFIER_TYPE_MAX_BYTES,
  utf8ByteLength,
} from './limits.js';
import { resolveNormalizeOptions } from './normalize-options.js';
import type { NormalizeOptions } from './normalize-options.js';
import { assertJsonValue, childPath } from './internal/json-value.js';
import { deriveMessageId, readMessageId } from './internal/message-id.js';
import { checkEventTime, readEventName, readPageName } from './internal/rules.js';
import { requireIdentity } from './internal/rules.js';

/** The Timestamp range in seconds: years 0001 to 9999, both included. */
const MIN_SECONDS = -62_135_596_800n;
const MAX_SECONDS = 253_402_300_799n;

const IDENTITY_REPORT = {
  field: 'identifiers',
  missing: 'must include a user_id or an anonymous_id',
  aliasWithoutUser: 'must include a user_id for alias',
};

/**
 * Applies the `normalizeEvent` rules to an Event that arrived typed (gRPC)
 * and returns a normalized copy with `receivedAt` and `source` set and
 * `profileId` cleared. Size is measured as protobuf binary.
 */
export function validateEvent(event: Event, options: NormalizeOptions): Event {
  const resolved = resolveNormalizeOptions(options);
  checkBinarySize(event);
  const copy = clone(EventSchema, event);
  copy.messageId = messageIdOf(copy, resolved.source);

  copy.type = checkType(copy.type);
  copy.event = readEventName(copy.type, copy.event);
  copy.name = readPageName(copy.type, copy.name);
  normalizeIdentity(copy, resolved.phoneRegion);
  const timestampMs = copy.timestamp && readTimestamp(copy.timestamp);
  copy.timestamp = timestampFromMs(checkEventTime(timestampMs, resolved));
  checkJsonFields(copy);
  if (copy.commerce) checkCommerce(copy.commerce);

  copy.receivedAt = timestampFromMs(resolved.receivedAtMs);
  copy.source = resolved.source;
  copy.profileId = '';
  return copy;
}

function checkBinarySize(event: Event): void {
  const bytes = toBinary(EventSchema, event).byteLength;
  if (bytes > EVENT_MAX_BYTES) {
    const limit = `the 32 KB limit (${EVENT_MAX_BYTES} bytes)`;
    throw new InvalidEventError('$', `is ${bytes} bytes of protobuf, over ${limit}`, bytes);
  }
}

/**
 * The sender's id, or one derived from the event's bytes. Fields the
 * collector sets are cleared before hashing, so a retry gets the same id.
 * Mutates `copy`, whose fields are all reassigned afterwards.
 */
function messageIdOf(copy: Event, source: string): string {
  const senderId = readMessageId(copy.messageId, 'messageId');
  if (senderId) return senderId;
  const collectorFields = { messageId: '', source: '', profileId: '' };
  Object.assign(copy, collectorFields, { receivedAt: undefined });
  return deriveMessageId(source, toBinary(EventSchema, copy));
}

function checkType(type: EventType): EventType {
  if (type >= EventType.TRACK && type <= EventType.ALIAS) return type;
  const reason = 'must be one of TRACK, IDENTIFY, PAGE, SCREEN, GROUP, ALIAS';
  throw new InvalidEventError('type', reason, type);
}

/** Normalizes identifiers, previousId and groupId in place; checks the rules. */
function normalizeIdentity(event: Event, phoneRegion: string): void {
  event.identifiers = normalizeIdentifiers(event.identifiers, phoneRegion);
  event.previousId = readIdentifierValue(event.previousId, 'previousId') ?? '';
  event.groupId = readIdentifierValue(event.groupId, 'groupId') ?? '';

  const types = new Set(event.identifiers.map((identifier) => identifier.type));
  const facts = {
    hasUserId: types.has(IdentifierTypes.USER_ID),
    hasAnonymousId: types.has(IdentifierTypes.ANONYMOUS_ID),
    previousId: event.previousId,
    groupId: event.groupId,
  };
  requireIdentity(event.type, facts, IDENTITY_REPORT);
}

/** Names a profile by its own id in lookups; events cannot claim it. */
const RESERVED_IDENTIFIER_TYPE = 'profile_id';

/** Lowercased types and normalized values, without blanks or duplicates. */
function normalizeIdentifiers(identifiers: Identifier[], phoneRegion: string): Identifier[] {
  const seen = new Set<string>();
  const result: Identifier[] = [];
  identifiers.forEach((identifier, index) => {
    const path = childPath('identifiers', index);
    const type = identifier.type.trim().toLowerCase();
    if (type === '') {
      throw new InvalidEventError(`${path}.type`, 'must be a non-empty string');
    }
    if (utf8ByteLength(type) > IDENTIFIER_TYPE_MAX_BYTES) {
      const reason = `must be at most ${IDENTIFIER_TYPE_MAX_BYTES} UTF-8 bytes`;
      throw new InvalidEventError(`${path}.type`, reason);
    }
    if (type === RESERVED_IDENTIFIER_TYPE) {
      throw new InvalidEventError(`${path}.type`, `'${type}' is reserved for lookups`);
    }
    const value = readTypedIdentifier(type, identifier.value, `${path}.value`, phoneRegion);

    const key = `${type}\u0000${value}`;
    if (value === undefined || seen.has(key)) return;
    seen.add(key);
    result.push(create(IdentifierSchema, { type, value }));
  });
  return result;
}

function readTimestamp(timestamp: Timestamp): number {
  const { seconds, nanos } = timestamp;
  const inRange = seconds >= MIN_SECONDS && seconds <= MAX_SECONDS;
  if (!inRange || nanos < 0 || nanos > 999_999_999) {
    const reason = 'must be a valid Timestamp in the years 0001 to 9999';
    throw new InvalidEventError('timestamp', reason);
  }
  return timestampToMs(timestamp);
}

function checkJsonFields(event: Event): void {
  if (event.traits) assertJsonValue(event.traits, 'traits');
  if (event.properties) assertJsonValue(event.properties, 'properties');
  const extra = event.context?.extra;
  if (extra) assertJsonValue(extra, 'context.extra');
}

function checkCommerce(commerce: Commerce): void {
  const { revenue, discount, shipping, tax } = commerce;
  const amounts = { revenue, discount, shipping, tax };
  for (const [key, value] of Object.entries(amounts)) {
    checkFinite(value, `commerce.${key}`);
  }
  commerce.products.forEach((product, index) => {
    const path = childPath('commerce.products', index);
    checkFinite(product.price, `${path}.price`);
    checkFinite(product.quantity, `${path}.quantity`);
  });
}

function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) {
    throw new InvalidEventError(field, 'must be a finite number', value);
  }
  if (Math.abs(value) > AMOUNT_MAX) {
    throw new InvalidEventError(field, `must be within ±${AMOUNT_MAX.toExponential()}`, value);
  }
}
