import { isValidSourceToken } from '@pulse/nats';

/** Write keys mapped to the source their events are filed under. */
export type WriteKeys = ReadonlyMap<string, string>;

/**
 * Parses `key1:source1,key2:source2` (the `PULSE_WRITE_KEYS` form). Throws
 * `TypeError` naming the entry at fault; an empty string yields no keys.
 */
export function parseWriteKeys(text: string): WriteKeys {
  const keys = new Map<string, string>();
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (entry === '') continue;
    const [key = '', source, ...rest] = entry.split(':');
    if (key === '' || source === undefined || rest.length > 0) {
      throw new TypeError(`entry '${entry}' must be 'key:source'`);
    }
    if (!isValidSourceToken(source)) {
      throw new TypeError(`source of key '${key}' must match [A-Za-z0-9_-]{1,64}`);
    }
    if (keys.has(key)) throw new TypeError(`key '${key}' is listed twice`);
    keys.set(key, source);
  }
  return keys;
}

/**
 * The user name of an HTTP Basic `Authorization` header, where Segment
 * clients put the write key; undefined when the header is absent or not Basic.
 */
export function basicAuthUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return user === '' ? undefined : user;
}
