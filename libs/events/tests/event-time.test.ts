import { create } from '@bufbuild/protobuf';
import { EventSchema } from '@pulse/proto';
import { describe, expect, it } from 'vitest';

import {
  eventTimeMs,
  InvalidEventError,
  parseEventTime,
  timestampFromMs,
  timestampToMs,
} from '../src/index.js';

/** 2024-05-01T12:00:00Z, worked out with Python's datetime. */
const NOON_UTC_MS = 1_714_564_800_000;

describe('parseEventTime', () => {
  it.each([
    '2024-05-01T12:00:00Z',
    '2024-05-01T14:00:00+02:00',
    '2024-05-01T07:00:00-05:00',
    '2024-05-01t17:30:00+05:30',
    1714564800,
    1714564800000,
    '1714564800000',
  ])('reads %j as 2024-05-01T12:00:00Z', (value) => {
    expect(parseEventTime(value)).toBe(NOON_UTC_MS);
  });

  it.each([
    ['lowercase z', '2024-05-01T12:00:00z', NOON_UTC_MS],
    ['no seconds', '2024-05-01T12:00Z', NOON_UTC_MS],
    ['basic offset', '2024-05-01T17:30:00+0530', NOON_UTC_MS],
    ['hour-only offset', '2024-05-01T14:00:00+02', NOON_UTC_MS],
    ['negative zero offset', '2024-05-01T12:00:00-00:00', NOON_UTC_MS],
    ['zone-less, read as UTC', '2024-05-01T12:00:00', NOON_UTC_MS],
    ['milliseconds', '2024-05-01T12:00:00.250Z', NOON_UTC_MS + 250],
    ['digits past the ms are dropped', '2024-05-01T12:00:00.123999Z', NOON_UTC_MS + 123],
    ['comma as decimal sign', '2024-05-01T12:00:00,5Z', NOON_UTC_MS + 500],
    ['surrounding spaces', '  2024-05-01T12:00:00Z ', NOON_UTC_MS],
    ['leap day', '2024-02-29T23:59:59Z', 1_709_251_199_000],
    ['first Timestamp instant', '0001-01-01T00:00:00Z', -62_135_596_800_000],
    ['last Timestamp ms', '9999-12-31T23:59:59.999Z', 253_402_300_799_999],
  ])('reads ISO 8601 with %s', (_label, value, expected) => {
    expect(parseEventTime(value)).toBe(expected);
  });

  it.each([
    ['seconds with a fraction', 1714564800.123, NOON_UTC_MS + 123],
    ['seconds as a string', '1714564800.5', NOON_UTC_MS + 500],
    ['seconds in exponent form', '1.7145648e9', NOON_UTC_MS],
    ['milliseconds with a fraction', 1714564800000.9, NOON_UTC_MS],
    ['microseconds', 1714564800123456, NOON_UTC_MS + 123],
    ['microseconds as a string', '1714564800123456', NOON_UTC_MS + 123],
    ['largest seconds', 99_999_999_999 - 0.5, 99_999_999_998_500],
    ['smallest milliseconds', 100_000_000_000, 100_000_000_000],
    ['zero', 0, 0],
    ['negative seconds floor to the earlier ms', -1.0005, -1001],
  ])('reads an epoch number: %s', (_label, value, expected) => {
    expect(parseEventTime(value)).toBe(expected);
  });

  it.each([
    ['summer time in London', 'Europe/London', '2024-05-01T12:00:00', 1_714_561_200_000],
    ['winter time in New York', 'America/New_York', '2024-01-15T09:30:00', 1_705_329_000_000],
    [
      'a time skipped by DST moves forward',
      'Europe/London',
      '2024-03-31T01:30:00',
      1_711_848_600_000,
    ],
    ['an explicit offset wins over the zone', 'Asia/Tokyo', '2024-05-01T12:00:00Z', NOON_UTC_MS],
  ])('reads zone-less times in defaultZone: %s', (_label, zone, value, expected) => {
    expect(parseEventTime(value, 'timestamp', { defaultZone: zone })).toBe(expected);
  });

  it.each([
    ['a word', 'safaff'],
    ['an empty string', ''],
    ['blanks', '   '],
    ['true', true],
    ['false', false],
    ['an object', {}],
    ['an array', [1714564800]],
    ['null', null],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['an epoch of 1e17', 1e17],
    ['an epoch string of 1e17', '100000000000000000'],
    ['month 13', '2024-13-01T00:00:00Z'],
    ['30 February', '2024-02-30T00:00:00Z'],
    ['29 February of a common year', '2023-02-29T00:00:00Z'],
    ['hour 25', '2024-05-01T25:00:00Z'],
    ['second 60', '2024-05-01T12:00:60Z'],
    ['a date without time', '2024-05-01'],
    ['a space instead of T', '2024-05-01 12:00:00Z'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['an offset of 24 hours', '2024-05-01T12:00:00+24:00'],
    ['a hex number', '0x10'],
    ['a date string', 'Wed, 01 May 2024 12:00:00 GMT'],
    ['seconds before year 1', -99_999_999_999],
  ])('rejects %s naming the field', (_label, value) => {
    const call = () => parseEventTime(value, 'sentAt');
    expect(call).toThrow(InvalidEventError);
    expect(call).toThrow(expect.objectContaining({ field: 'sentAt' }));
  });

  it('names timestamp by default', () => {
    expect(() => parseEventTime('nope')).toThrow(expect.objectContaining({ field: 'timestamp' }));
  });

  it('throws RangeError for an unknown defaultZone', () => {
    const call = () =>
      parseEventTime('2024-05-01T12:00:00', 'timestamp', { defaultZone: 'Mars/Base' });
    expect(call).toThrow(RangeError);
  });
});

describe('timestampFromMs and eventTimeMs', () => {
  it.each([
    [NOON_UTC_MS + 250, 1_714_564_800n, 250_000_000],
    [0, 0n, 0],
    [-1, -1n, 999_000_000],
  ])('turns %d ms into seconds %d and nanos %d', (ms, seconds, nanos) => {
    const timestamp = timestampFromMs(ms);
    expect([timestamp.seconds, timestamp.nanos]).toEqual([seconds, nanos]);
    expect(timestampToMs(timestamp)).toBe(ms);
  });

  it('reads the event time of an event, dropping sub-ms nanos', () => {
    const timestamp = { seconds: 1_714_564_800n, nanos: 1_999_999 };
    const event = create(EventSchema, { timestamp });
    expect(eventTimeMs(event)).toBe(NOON_UTC_MS + 1);
  });

  it('throws TypeError for an event without timestamp', () => {
    expect(() => eventTimeMs(create(EventSchema))).toThrow(TypeError);
  });
});
