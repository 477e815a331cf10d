import { fromBinary } from '@bufbuild/protobuf';
import { EventSchema } from '@pulse/proto';
import type { Event } from '@pulse/proto';
import { expect } from 'vitest';
import { decodeEvent } from '../src/ingest/decode-event.js';

/**
 * Decodes `data` both ways and expects the same outcome: equal messages
 * (`$typeName` fields, absent unset message fields and -0 included, as
 * toStrictEqual compares them), or the same error from both.
 */
export function expectSameAsFromBinary(data: Uint8Array): Event | undefined {
  const expected = outcome(() => fromBinary(EventSchema, data));
  const actual = outcome(() => decodeEvent(data));
  expect(actual).toStrictEqual(expected);
  return actual instanceof Error ? undefined : actual;
}

function outcome(decode: () => Event): Event | Error {
  try {
    return decode();
  } catch (err) {
    return err as Error;
  }
}

/** Length-delimited field `no` holding `body`, for hand-made messages. */
export function field(no: number, body: readonly number[]): number[] {
  return [...varint((no << 3) | 2), ...varint(body.length), ...body];
}

/** A varint field (wire type 0) with an unsigned value below 2^53. */
export function varintField(no: number, value: number): number[] {
  return [...varint(no << 3), ...varint(value)];
}

export function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return bytes;
}

export function text(value: string): number[] {
  return [...new TextEncoder().encode(value)];
}
