import type { JsonObject } from '@bufbuild/protobuf';
import { EventType } from '@pulse/proto';

import { InvalidEventError } from './errors.js';

/** Segment call types and the canonical EventType each becomes. */
export const SegmentCallTypes = {
  track: EventType.TRACK,
  identify: EventType.IDENTIFY,
  page: EventType.PAGE,
  screen: EventType.SCREEN,
  group: EventType.GROUP,
  alias: EventType.ALIAS,
} as const;

/** A Segment call type: track, identify, page, screen, group or alias. */
export type SegmentCallType = keyof typeof SegmentCallTypes;

/**
 * One Segment-spec call as parsed from JSON: the input of `normalizeEvent`.
 * Only the members Pulse reads are listed; others count toward the size
 * limit and the message id hash, then are dropped.
 */
export interface SegmentCall {
  type: SegmentCallType;
  /** Idempotency key; `message_id` is accepted too. */
  messageId?: string;
  /** ISO 8601 date-time or epoch number; see `parseEventTime`. */
  timestamp?: string | number;
  userId?: string | number;
  anonymousId?: string | number;
  /** For alias: the identifier being aliased to `userId`. */
  previousId?: string | number;
  groupId?: string | number;
  /** Name of a track call. */
  event?: string;
  /** Name of a page or screen call. */
  name?: string;
  traits?: JsonObject;
  properties?: JsonObject;
  context?: JsonObject;
}

/** Reads a call type, trimmed and case-insensitive; rejects others naming `type`. */
export function readEventType(value: unknown): EventType {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (Object.hasOwn(SegmentCallTypes, name)) {
    return SegmentCallTypes[name as SegmentCallType];
  }
  const expected = Object.keys(SegmentCallTypes).join(', ');
  throw new InvalidEventError('type', `must be one of ${expected}`, value);
}
