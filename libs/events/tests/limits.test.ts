import { describe, expect, it } from 'vitest';

import { EVENT_MAX_BYTES, jsonByteLength, normalizeEvent } from '../src/index.js';
import { OPTIONS, rejection } from './helpers.js';

describe('jsonByteLength', () => {
  it.each([
    ['an ASCII object', { a: 1 }, 7], // {"a":1}
    ['a two-byte character', { a: 'é' }, 10], // {"a":"é"} is 9 characters, é takes 2 bytes
    ['a four-byte character', ['😀'], 8], // ["😀"]: 4 bytes of brackets and quotes + 4
    ['an escaped quote', 'a"b', 6], // "a\"b"
    ['null', null, 4],
  ])('measures %s', (_label, value, bytes) => {
    expect(jsonByteLength(value)).toBe(bytes);
  });

  it('throws TypeError for values without JSON text', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonByteLength(undefined)).toThrow(TypeError);
    expect(() => jsonByteLength(cyclic)).toThrow(TypeError);
    expect(() => jsonByteLength({ n: 1n })).toThrow(TypeError);
  });
});

describe('normalizeEvent size limit', () => {
  /** A track call padded so its compact JSON is exactly `bytes` long. */
  const callOfSize = (bytes: number) => {
    const base = { type: 'track', event: 'E', userId: 'u1', properties: { pad: '' } };
    const padding = bytes - JSON.stringify(base).length;
    return { ...base, properties: { pad: 'x'.repeat(padding) } };
  };

  it('accepts an event of exactly 32 KB', () => {
    const input = callOfSize(32 * 1024);
    // The unpadded call, {"type":"track","event":"E","userId":"u1","properties":{"pad":""}}, is 66 bytes.
    expect(JSON.stringify(input).length).toBe(32_768);
    expect(normalizeEvent(input, OPTIONS).properties?.pad).toHaveLength(32_768 - 66);
  });

  it.each([
    ['one byte over', EVENT_MAX_BYTES + 1],
    ['40 KB', 40 * 1024],
  ])('rejects an event %s, naming the 32 KB limit', (_label, bytes) => {
    const error = rejection(() => normalizeEvent(callOfSize(bytes), OPTIONS));
    expect(error.field).toBe('$');
    expect(error.reason).toContain('32 KB');
    expect(error.value).toBe(bytes);
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 12,000 three-byte characters: 36,000 bytes in 12,000 characters.
    const input = {
      type: 'track',
      event: 'E',
      userId: 'u1',
      properties: { s: '€'.repeat(12_000) },
    };
    expect(rejection(() => normalizeEvent(input, OPTIONS)).field).toBe('$');
  });

  it('rejects input that cannot be serialized', () => {
    const input: Record<string, unknown> = { type: 'track', event: 'E', userId: 'u1' };
    input.properties = { loop: input };
    const error = rejection(() => normalizeEvent(input, OPTIONS));
    expect([error.field, error.cause instanceof TypeError]).toEqual(['$', true]);
  });
});
