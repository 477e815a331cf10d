import { create } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EventSchema, EventType } from '@pulse/proto';
import type { Event } from '@pulse/proto';

/** Any Event field, plus the event time in epoch ms. */
export type EventInit = Omit<Exclude<MessageInitShape<typeof EventSchema>, Event>, 'timestamp'> & {
  timeMs: number;
};

let sequence = 0;

/** Builds an Event; a track event with a fresh message id unless told otherwise. */
export function makeEvent({ timeMs, ...fields }: EventInit): Event {
  sequence++;
  return create(EventSchema, {
    messageId: `m${sequence}`,
    type: EventType.TRACK,
    ...fields,
    timestamp: timestampFromMs(timeMs),
  });
}

/** A track event named `name` at `timeMs`. */
export function track(name: string, timeMs: number, fields: Omit<EventInit, 'timeMs'> = {}): Event {
  return makeEvent({ ...fields, event: name, timeMs });
}

/** Epoch ms of a UTC ISO instant, e.g. `at('2024-03-08T00:00:00Z')`. */
export function at(iso: string): number {
  return Date.parse(iso);
}

/** Durations in ms, for readable test arithmetic. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
