/**
 * Largest accepted event in bytes: of compact JSON for `normalizeEvent`, of
 * protobuf binary for `validateEvent`.
 */
export const EVENT_MAX_BYTES = 32 * 1024;

/** Largest accepted batch of events in one ingest request, in bytes. */
export const BATCH_MAX_BYTES = 500 * 1024;

/**
 * Longest accepted identifier value, in UTF-8 bytes. Identifier values become
 * LMDB keys, which top out near 1978 bytes, so this leaves room for prefixes.
 */
export const IDENTIFIER_MAX_BYTES = 512;

/** Longest accepted `messageId`, in UTF-8 bytes. */
export const MESSAGE_ID_MAX_BYTES = 256;

/** Deepest accepted nesting of objects and arrays inside an event. */
export const JSON_MAX_DEPTH = 32;

/**
 * Size of `value` as compact JSON (`JSON.stringify`) in UTF-8 bytes.
 * Throws `TypeError` for what JSON cannot represent: undefined, cycles, BigInt.
 */
export function jsonByteLength(value: unknown): number {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) {
    throw new TypeError('value has no JSON representation');
  }
  return utf8ByteLength(text);
}

/** Size of `text` in UTF-8 bytes. */
export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Largest amount, price or quantity accepted. Sums of many such values stay
 * finite and exact to the cent; 1e308 would turn a running total into
 * Infinity for good.
 */
export const AMOUNT_MAX = 1e12;

/** Longest identifier type, in UTF-8 bytes (`user_id`, `email`, custom types). */
export const IDENTIFIER_TYPE_MAX_BYTES = 64;
