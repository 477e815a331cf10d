import { createHash } from 'node:crypto';

import { InvalidEventError } from '../errors.js';
import { MESSAGE_ID_MAX_BYTES, utf8ByteLength } from '../limits.js';

/** Prefix of ids derived from content, so they never pass for sender ids. */
export const DERIVED_MESSAGE_ID_PREFIX = 'sha256:';

/**
 * Reads a sender's message id: trimmed; absent, null or empty gives
 * undefined; a non-string or one over MESSAGE_ID_MAX_BYTES is rejected.
 */
export function readMessageId(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidEventError(field, 'must be a string', value);
  }
  const id = value.trim();
  const bytes = utf8ByteLength(id);
  if (bytes > MESSAGE_ID_MAX_BYTES) {
    const reason = `must be at most ${MESSAGE_ID_MAX_BYTES} UTF-8 bytes, got ${bytes}`;
    throw new InvalidEventError(field, reason, value);
  }
  return id || undefined;
}

/**
 * A message id derived from the source and the event's content, so an
 * identical retry from the same source gets the same id and is deduplicated.
 */
export function deriveMessageId(source: string, content: string | Uint8Array): string {
  const hash = createHash('sha256');
  // A JSON-quoted source ends at its closing quote: it cannot run into the content.
  hash.update(JSON.stringify(source));
  hash.update(content);
  return DERIVED_MESSAGE_ID_PREFIX + hash.digest('hex');
}

/**
 * JSON text with object keys sorted (by UTF-16 code unit) at every level, so
 * two payloads that differ only in key order serialize alike. Like
 * JSON.stringify, it drops undefined members.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => (item === undefined ? 'null' : canonicalJson(item)));
    return `[${items.join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
