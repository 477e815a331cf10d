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

/** Normalizes an email for use as an identifier: trimmed, NFC, lowercased. */
export function readEmail(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.normalize('NFC').trim().toLowerCase();
  return checkIdentifierLength(email, field) || undefined;
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
 * emails lowercased. Throws InvalidEventError naming `field` when the value
 * is empty or too long.
 */
export function normalizeIdentifier(
  type: string,
  value: string,
  field: string,
): { type: string; value: string } {
  const normalizedType = type.trim().toLowerCase();
  if (normalizedType === '') {
    throw new InvalidEventError(`${field}.type`, 'must be non-empty', type);
  }
  if (utf8ByteLength(normalizedType) > IDENTIFIER_TYPE_MAX_BYTES) {
    const reason = `must be at most ${IDENTIFIER_TYPE_MAX_BYTES} UTF-8 bytes`;
    throw new InvalidEventError(`${field}.type`, reason, type);
  }
  const read =
    normalizedType === IdentifierTypes.EMAIL
      ? readEmail(value, `${field}.value`)
      : readIdentifierValue(value, `${field}.value`);
  if (read === undefined) throw new InvalidEventError(`${field}.value`, 'must be non-empty', value);
  return { type: normalizedType, value: read };
}
