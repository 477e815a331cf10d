/**
 * Validation and normalization of incoming events into the canonical
 * protobuf `Event` of `@pulse/proto`.
 */
export { InvalidEventError, isInvalidEventError } from './errors.js';
export {
  BATCH_MAX_BYTES,
  EVENT_MAX_BYTES,
  AMOUNT_MAX,
  IDENTIFIER_MAX_BYTES,
  IDENTIFIER_TYPE_MAX_BYTES,
  JSON_MAX_DEPTH,
  MESSAGE_ID_MAX_BYTES,
  jsonByteLength,
  utf8ByteLength,
} from './limits.js';
export { eventTimeMs, parseEventTime, timestampFromMs, timestampToMs } from './event-time.js';
export type { ParseEventTimeOptions } from './event-time.js';
export { IdentifierTypes, normalizeIdentifier } from './identifiers.js';
export type { IdentifierType } from './identifiers.js';
export { SegmentCallTypes } from './segment-call.js';
export type { SegmentCall, SegmentCallType } from './segment-call.js';
export { DEFAULT_MAX_FUTURE_SKEW_MS } from './normalize-options.js';
export type { NormalizeOptions } from './normalize-options.js';
export { normalizeEvent } from './normalize-event.js';
export { validateEvent } from './validate-event.js';
