import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { InvalidEventError } from './errors.js';
import { IDENTIFIER_MAX_BYTES, IDENTIFIER_TYPE_MAX_BYTES, utf8ByteLength } from './limits.js';

/**
 * Identifier types the collector fills in itself; other types may come from
 * configuration.
 */
export const IdentifierTypes = {
  USER_ID: 'user_id',
  ANONYMOUS_ID: 'anonymous_id',
  EMAIL: 'email',
  PHONE: 'phone',
  DEVICE_ID: 'device_id',
} as const;

const NOT_AN_IDENTIFIER = 'must be a string or a safe integer';

/** One of the identifier types the collector fills in itself. */
export type IdentifierType = (typeof IdentifierTypes)[keyof typeof IdentifierTypes];

/**
 * Reads an identifier-like value (userId, anonymousId, previousId, groupId):
 * a string, trimmed and NFC-normalized, or a safe integer as its decimal
 * string. Absent, null and empty values give undefined.
 */
export function readIdentifierValue(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  // Past 2^53 JSON parsing has rounded the digits: two users could collide.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') {
    throw new InvalidEventError(field, NOT_AN_IDENTIFIER, value);
  }
  const normalized = value.normalize('NFC').trim();
  return checkIdentifierLength(normalized, field) || undefined;
}

// Lenient on purpose (any domain, unicode allowed): it only keeps non-addresses out.
const emailShape = z.email({ pattern: z.regexes.unicodeEmail });

/**
 * Normalizes an email for use as an identifier: trimmed, NFC, lowercased.
 * Anything that is not an address ("n/a", "none") gives undefined: linking
 * on it would join every person who typed it.
 */
export function readEmail(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Invisible format characters (zero-width spaces, joiners) are dropped:
  // the same address with one pasted in is the same address.
  const visible = value.replace(/\p{Cf}/gu, '');
  const email = checkIdentifierLength(visible.normalize('NFC').trim().toLowerCase(), field);
  return emailShape.safeParse(email).success ? email : undefined;
}

/**
 * Normalizes a phone number to E.164 (`+442079460958`). A number without a
 * country code is read as one of `region` when given. Anything that is not a
 * valid number gives undefined, for the same reason as {@link readEmail}.
 */
export function readPhone(value: unknown, field: string, region?: string): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).normalize('NFKC').trim();
  const parsed = parsePhoneNumberFromString(text, region as CountryCode | undefined);
  if (!parsed?.isValid()) return undefined;
  return checkIdentifierLength(parsed.number, field);
}

/**
 * Normalizes a value of identifier type `type` by the rule of its type:
 * emails and phones as above, any other type trimmed and NFC. Throws naming
 * `field` when the value cannot be an identifier of that type.
 */
export function readTypedIdentifier(
  type: string,
  value: unknown,
  field: string,
  phoneRegion?: string,
): string | undefined {
  if (type === IdentifierTypes.EMAIL || type === IdentifierTypes.PHONE) {
    if (value === undefined || value === null || value === '') return undefined;
    const read =
      type === IdentifierTypes.EMAIL
        ? readEmail(value, field)
        : readPhone(value, field, phoneRegion);
    if (read === undefined) {
      const what = type === IdentifierTypes.EMAIL ? 'an email address' : 'a valid phone number';
      throw new InvalidEventError(field, `must be ${what}`, value);
    }
    return read;
  }
  return readIdentifierValue(value, field);
}

/** Returns `value`, or throws when it is over IDENTIFIER_MAX_BYTES in UTF-8. */
export function checkIdentifierLength(value: string, field: string): string {
  const bytes = utf8ByteLength(value);
  if (bytes > IDENTIFIER_MAX_BYTES) {
    const reason = `must be at most ${IDENTIFIER_MAX_BYTES} UTF-8 bytes, got ${bytes}`;
    throw new InvalidEventError(field, reason, value);
  }
  return value;
}

/**
 * Normalizes a typed identifier the way ingest stores it, for lookups:
 * the type trimmed and lowercased, the value trimmed and NFC-normalized,
 * emails lowercased, phones in E.164. Throws InvalidEventError naming `field` when the value
 * is empty or too long.
 */
export function normalizeIdentifier(
  type: string,
  value: string,
  field: string,
  phoneRegion?: string,
): { type: string; value: string } {
  const normalizedType = type.trim().toLowerCase();
  if (normalizedType === '') {
    throw new InvalidEventError(`${field}.type`, 'must be non-empty', type);
  }
  if (utf8ByteLength(normalizedType) > IDENTIFIER_TYPE_MAX_BYTES) {
    const reason = `must be at most ${IDENTIFIER_TYPE_MAX_BYTES} UTF-8 bytes`;
    throw new InvalidEventError(`${field}.type`, reason, type);
  }
  const read = readTypedIdentifier(normalizedType, value, `${field}.value`, phoneRegion);
  if (read === undefined) throw new InvalidEventError(`${field}.value`, 'must be non-empty', value);
  return { type: normalizedType, value: read };
}
