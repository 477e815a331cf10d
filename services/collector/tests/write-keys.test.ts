import { describe, expect, it } from 'vitest';
import { basicAuthUser, parseWriteKeys } from '../src/write-keys.js';
import { resolveCollectorConfig } from '../src/config.js';

describe('parseWriteKeys', () => {
  it('maps each key to its source', () => {
    const keys = parseWriteKeys(' k1:web , k2:mobile_app ');
    expect([...keys]).toEqual([
      ['k1', 'web'],
      ['k2', 'mobile_app'],
    ]);
  });

  it('yields no keys for an empty string', () => {
    expect(parseWriteKeys('').size).toBe(0);
  });

  it.each([
    ['k1', /must be 'key:source'/],
    [':web', /must be 'key:source'/],
    ['k1:web:extra', /must be 'key:source'/],
    ['k1:', /must match/],
    ['k1:bad.source', /must match/],
    ['k1:web,k1:app', /listed twice/],
  ])('refuses %j', (text, message) => {
    expect(() => parseWriteKeys(text)).toThrow(TypeError);
    expect(() => parseWriteKeys(text)).toThrow(message);
  });
});

describe('basicAuthUser', () => {
  const encode = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

  it.each([
    [encode('wk:'), 'wk'],
    [encode('wk'), 'wk'],
    [encode(':secret'), undefined],
    ['Bearer abc', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, user) => {
    expect(basicAuthUser(header)).toBe(user);
  });
});

describe('resolveCollectorConfig', () => {
  it('names PULSE_WRITE_KEYS when a source is invalid', () => {
    expect(() => resolveCollectorConfig({ PULSE_WRITE_KEYS: 'k1:a.b' })).toThrow(
      /^PULSE_WRITE_KEYS: /,
    );
  });

  it('turns the HTTP intake off by default', () => {
    const config = resolveCollectorConfig({});
    expect(config.writeKeys.size).toBe(0);
    expect(config.httpPort).toBe(8088);
  });
});
