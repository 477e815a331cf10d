/**
 * Request metadata (and HTTP header) carrying a request id. A caller may set
 * it to follow one request through its own logs and ours; the server answers
 * with it in the response headers, generated when the caller sent none.
 */
export const REQUEST_ID_METADATA_KEY = 'x-request-id';

/** What a caller-supplied id may look like: short, printable, no spaces. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/**
 * The caller's request id when it is a usable one, else `undefined` (the
 * caller then gets a generated id). A value that does not fit the pattern is
 * dropped rather than logged, since it is untrusted input.
 */
export function requestIdOf(value: unknown): string | undefined {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value) ? value : undefined;
}
