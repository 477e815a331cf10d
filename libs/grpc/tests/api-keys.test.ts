import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  ApiKeysFileError,
  generateApiKey,
  hashApiKey,
  loadApiKeys,
  parseApiKeys,
} from '../src/index.js';

// SHA-256 of "abc" and of "" from FIPS 180-2 / the NIST examples.
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const VALID = `
keys:
  - id: shop-web
    sha256: ${ABC_SHA256}
    scopes: [ingest, decide]
    source: shop
  - id: ops
    sha256: ${ABC_SHA256.toUpperCase().replace('BA78', 'CA78')}
    scopes: [admin, audience:read]
`;

describe('hashApiKey', () => {
  it('gives the hex SHA-256 digest of the key', () => {
    expect(hashApiKey('abc')).toBe(ABC_SHA256);
    expect(hashApiKey('')).toBe(EMPTY_SHA256);
  });
});

describe('generateApiKey', () => {
  it('makes distinct prefixed keys of 256 random bits', () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    expect(a).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});

describe('parseApiKeys', () => {
  it('finds a key by its plaintext, with its scopes and source', () => {
    const ring = parseApiKeys(VALID);
    const key = ring.find('abc');
    expect(ring.size).toBe(2);
    expect(key?.id).toBe('shop-web');
    expect([...key!.scopes]).toEqual(['ingest', 'decide']);
    expect(key?.source).toBe('shop');
  });

  it('reads upper-case digests and defaults the source to the id', () => {
    const text = `keys: [{ id: ops, sha256: "${ABC_SHA256.toUpperCase()}", scopes: [admin] }]`;
    expect(parseApiKeys(text).find('abc')?.source).toBe('ops');
  });

  it('reads the JSON form too', () => {
    const json = JSON.stringify({ keys: [{ id: 'a', sha256: EMPTY_SHA256, scopes: ['admin'] }] });
    expect(parseApiKeys(json).find('')?.id).toBe('a');
  });

  it('finds nothing for a wrong key, the digest itself or a near miss', () => {
    const ring = parseApiKeys(VALID);
    expect(ring.find('abd')).toBeUndefined();
    expect(ring.find(ABC_SHA256)).toBeUndefined();
    expect(ring.find('abc ')).toBeUndefined();
  });

  it('accepts an empty list', () => {
    expect(parseApiKeys('keys: []').size).toBe(0);
  });

  const key = (fields: Record<string, unknown>) =>
    JSON.stringify({ keys: [{ id: 'a', sha256: ABC_SHA256, scopes: ['ingest'], ...fields }] });

  it.each([
    ['a document without keys', '{}', 'keys'],
    ['keys that are not a list', 'keys: 3', 'keys'],
    ['an unknown scope', key({ scopes: ['ingest', 'write'] }), 'keys[0].scopes[1]'],
    ['no scope', key({ scopes: [] }), 'keys[0].scopes'],
    ['a short digest', key({ sha256: 'abc' }), 'keys[0].sha256'],
    ['a plaintext key in place of a digest', key({ sha256: 'pk_secret' }), 'keys[0].sha256'],
    ['an id with a space', key({ id: 'a b' }), 'keys[0].id'],
    ['a bad source', key({ source: 'a.b' }), 'keys[0].source'],
    ['an unknown field', key({ key: 'pk_plain' }), 'keys[0]'],
    ['text that is not YAML', 'keys: [', ''],
  ])('refuses %s, naming the field', (_name, text, field) => {
    const err = (() => {
      try {
        parseApiKeys(text, 'keys.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ApiKeysFileError);
    expect((err as ApiKeysFileError).field).toBe(field);
    expect((err as ApiKeysFileError).file).toBe('keys.yaml');
  });

  it('quotes the value it refuses', () => {
    const text = `keys: [{ id: a, sha256: ${ABC_SHA256}, scopes: [ingest, profile:write] }]`;
    expect(() => parseApiKeys(text)).toThrow(/keys\[0\]\.scopes\[1\].*\(got 'profile:write'\)/);
  });

  it.each([
    ['id', `{ id: a, sha256: ${ABC_SHA256}, scopes: [admin] }`, 'keys[1].id'],
    ['digest', `{ id: b, sha256: ${ABC_SHA256}, scopes: [admin] }`, 'keys[1].sha256'],
  ])('refuses a repeated %s', (_what, second, field) => {
    const text = `keys: [{ id: a, sha256: ${ABC_SHA256}, scopes: [ingest] }, ${second}]`;
    expect(() => parseApiKeys(text)).toThrow(expect.objectContaining({ field }));
  });
});

describe('loadApiKeys', () => {
  it('reads a file, and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-keys-'));
    try {
      const file = join(dir, 'keys.yaml');
      writeFileSync(file, VALID);
      expect(loadApiKeys(file).find('abc')?.id).toBe('shop-web');
      const missing = join(dir, 'none.yaml');
      expect(() => loadApiKeys(missing)).toThrow(expect.objectContaining({ file: missing }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
