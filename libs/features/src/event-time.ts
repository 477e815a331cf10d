import type { Event } from '@pulse/proto';
import { EventTimeMissingError } from './errors.js';

/**
 * Event time of `event` in epoch ms (sub-millisecond part dropped).
 * Throws {@link EventTimeMissingError} when the event has no timestamp.
 */
export function eventTimeMs(event: Event): number {
  const timestamp = event.timestamp;
  if (timestamp === undefined) throw new EventTimeMissingError(event.messageId);
  return Number(timestamp.seconds) * 1_000 + Math.floor(timestamp.nanos / 1_000_000);
}
