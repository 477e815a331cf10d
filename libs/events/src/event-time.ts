import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { timestampFromMs as wktTimestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Event } from '@pulse/proto';
import { DateTime } from 'luxon';

import { InvalidEventError } from './errors.js';
import { floorShifted, isBelowPowerOfTen, parseDecimal } from './internal/decimal.js';
import type { Decimal } from './internal/decimal.js';
import { assertZone } from './internal/zone.js';

/** Options of {@link parseEventTime}. */
export interface ParseEventTimeOptions {
  /**
   * IANA zone in which an ISO date-time without `Z` or offset is read.
   * @default 'UTC'
   */
  defaultZone?: string;
}

/** Range of a protobuf Timestamp in ms: years 0001 to 9999, both included. */
const MIN_TIMESTAMP_MS = -62_135_596_800_000;
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

const MS_PER_DAY = 86_400_000;

// ISO 8601 extended format, built from parts so each stays readable.
const ISO_DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;
const ISO_TIME = String.raw`(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`;
const ISO_OFFSET = String.raw`(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?`;
const ISO_DATE_TIME = new RegExp(`^${ISO_DATE}[Tt]${ISO_TIME}${ISO_OFFSET}$`);

const EXPECTED = 'must be an ISO 8601 date-time or an epoch number';
const OUT_OF_RANGE = 'must fall between the years 0001 and 9999';
const EPOCH_TOO_LARGE = 'epoch number must be below 1e17 in magnitude';

/**
 * Reads an event time as epoch milliseconds. Accepts ISO 8601 date-times with
 * `Z` or an offset (`T`/`Z` in any case; no offset means `defaultZone`, else
 * UTC) and epoch numbers or numeric strings: |v| < 1e11 is seconds, < 1e14
 * milliseconds, < 1e17 microseconds. Sub-millisecond digits are dropped;
 * anything else throws {@link InvalidEventError} naming `field`.
 */
export function parseEventTime(
  value: unknown,
  field = 'timestamp',
  options: ParseEventTimeOptions = {},
): number {
  const { defaultZone } = options;
  if (defaultZone !== undefined) assertZone(defaultZone, 'defaultZone');
  const ms = readEventTime(value, field, defaultZone);
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) {
    throw new InvalidEventError(field, OUT_OF_RANGE, value);
  }
  return ms;
}

/**
 * Event time of a normalized event in epoch milliseconds, truncating
 * sub-millisecond nanos. Throws `TypeError` when the event has no timestamp.
 */
export function eventTimeMs(event: Event): number {
  if (!event.timestamp) throw new TypeError('event has no timestamp');
  return timestampToMs(event.timestamp);
}

/** A protobuf Timestamp for epoch ms; a fractional part is floored. */
export function timestampFromMs(ms: number): Timestamp {
  if (!Number.isFinite(ms)) {
    throw new TypeError(`'ms' must be a finite number, got ${ms}`);
  }
  return wktTimestampFromMs(Math.floor(ms));
}

/** Epoch ms of a protobuf Timestamp, flooring sub-millisecond nanos. */
export function timestampToMs(timestamp: Timestamp): number {
  const subMs = Math.floor(timestamp.nanos / 1_000_000);
  return Number(timestamp.seconds) * 1000 + subMs;
}

function readEventTime(value: unknown, field: string, zone?: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new InvalidEventError(field, EXPECTED, value);
    }
    // String() gives the shortest round-trip digits: the value as sent.
    const decimal = parseDecimal(String(value));
    if (decimal) return epochToMs(decimal, value, field);
    throw new InvalidEventError(field, EXPECTED, value);
  }
  if (typeof value !== 'string') {
    throw new InvalidEventError(field, EXPECTED, value);
  }

  const text = value.trim();
  const decimal = parseDecimal(text);
  if (decimal) return epochToMs(decimal, value, field);
  const ms = isoToMs(text, zone);
  if (ms === undefined) throw new InvalidEventError(field, EXPECTED, value);
  return ms;
}

function epochToMs(decimal: Decimal, value: unknown, field: string): number {
  if (isBelowPowerOfTen(decimal, 11)) return floorShifted(decimal, 3);
  if (isBelowPowerOfTen(decimal, 14)) return floorShifted(decimal, 0);
  if (isBelowPowerOfTen(decimal, 17)) return floorShifted(decimal, -3);
  throw new InvalidEventError(field, EPOCH_TOO_LARGE, value);
}

/** Epoch ms of an ISO 8601 extended date-time; undefined when it is not one. */
function isoToMs(text: string, zone: string | undefined): number | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', zulu, sign, offH, offM] = match;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const [hour, minute, second] = [Number(h), Number(mi), Number(s)];
  const millisecond = Number(frac.padEnd(3, '0').slice(0, 3));

  const dateOk = year >= 1 && month >= 1 && month <= 12 && day >= 1;
  if (!dateOk || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  const zoneLess = !zulu && !sign;
  if (zoneLess && zone !== undefined && zone !== 'UTC') {
    const local = { year, month, day, hour, minute, second, millisecond };
    const inZone = DateTime.fromObject(local, { zone });
    return inZone.isValid ? inZone.toMillis() : undefined;
  }

  const [offsetHours, offsetMins] = [Number(offH ?? 0), Number(offM ?? 0)];
  if (offsetHours > 23 || offsetMins > 59) return undefined;
  const offsetMs = (offsetHours * 60 + offsetMins) * 60_000;
  const secondOfDay = (hour * 60 + minute) * 60 + second;
  const dayStartMs = daysFromCivil(year, month, day) * MS_PER_DAY;
  const wallMs = dayStartMs + secondOfDay * 1000 + millisecond;
  return wallMs + (sign === '-' ? offsetMs : -offsetMs);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date, after Howard Hinnant's
 * days_from_civil: years run March to February so leap days come last.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const marchMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * marchMonth + 2) / 5) + day - 1;
  const leapDays = Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100);
  const dayOfEra = yearOfEra * 365 + leapDays + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
