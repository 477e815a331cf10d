import { ApiKeyRing, createAccessControl } from '@pulse/grpc';
import { silentLogger } from '@pulse/logging';
import { describe, expect, it } from 'vitest';
import { RequestRefusedError } from '../src/errors.js';
import { hasIntakeKeys, intakeSource } from '../src/intake-auth.js';
import type { IntakeAuth } from '../src/intake-auth.js';

// SHA-256 of "abc" (FIPS 180-2 example) and of "xyz" (`printf %s xyz | sha256sum`).
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const XYZ = '3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282';

function auth(withKeys = true): IntakeAuth & { denied: number[] } {
  const keys = new ApiKeyRing([
    { id: 'web', sha256: ABC, scopes: new Set(['ingest']), source: 'shop' },
    { id: 'ops', sha256: XYZ, scopes: new Set(['admin']), source: 'ops' },
  ]);
  const denied: number[] = [];
  const access = createAccessControl({ keys, logger: silentLogger() });
  return {
    writeKeys: new Map([['plain-key', 'legacy']]),
    access: withKeys ? access : undefined,
    onDenied: (code) => denied.push(code),
    denied,
  };
}

describe('intakeSource', () => {
  it.each([
    ['a plain write key', 'plain-key', 'legacy'],
    ['an API key with the ingest scope', 'abc', 'shop'],
  ])('files %s under its source', (_what, key, source) => {
    expect(intakeSource(auth(), key)).toBe(source);
  });

  it.each([
    ['no key', undefined, 401],
    ['an unknown key', 'nope', 401],
    ['an API key without the ingest scope', 'xyz', 403],
  ])('refuses %s with %i and reports it', (_what, key, status) => {
    const a = auth();
    expect(() => intakeSource(a, key)).toThrow(RequestRefusedError);
    expect(() => intakeSource(a, key)).toThrow(expect.objectContaining({ statusCode: status }));
    expect(a.denied).toEqual([status, status]);
  });

  it('knows no API key when the keys file is absent', () => {
    expect(() => intakeSource(auth(false), 'abc')).toThrow(
      expect.objectContaining({ statusCode: 401 }),
    );
  });
});

describe('hasIntakeKeys', () => {
  it('is true with write keys or API keys, false with neither', () => {
    expect(hasIntakeKeys(auth())).toBe(true);
    expect(hasIntakeKeys({ writeKeys: new Map(), access: auth().access })).toBe(true);
    expect(hasIntakeKeys({ writeKeys: new Map(), access: undefined })).toBe(false);
  });
});
