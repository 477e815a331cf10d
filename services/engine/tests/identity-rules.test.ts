import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdentityRules } from '../src/profile/identity-rules.js';

describe('IdentityRules', () => {
  const rules = IdentityRules.parse(`
identifiers:
  - { type: user_id, limit: 1 }
  - { type: email, limit: 2 }
  - { type: Loyalty_ID, hash: true }
  - { type: anonymous_id, shared: true }
consent:
  trait: privacy.personalize
`);

  it('orders identifiers by the listed priority, unlisted types last', () => {
    const sorted = rules.byPriority([
      ['crm', 'c1'],
      ['anonymous_id', 'a1'],
      ['loyalty_id', 'l1'],
      ['user_id', 'u1'],
    ]);
    expect(sorted.map(([type]) => type)).toEqual(['user_id', 'loyalty_id', 'anonymous_id', 'crm']);
  });

  it('applies the limit per type', () => {
    expect(
      rules.breaksLimit([
        ['user_id', 'u1'],
        ['user_id', 'u1'],
        ['email', 'a@x.io'],
      ]),
    ).toBe(false);
    expect(
      rules.breaksLimit([
        ['user_id', 'u1'],
        ['user_id', 'u2'],
      ]),
    ).toBe(true);
    expect(
      rules.breaksLimit([
        ['email', 'a@x.io'],
        ['email', 'b@x.io'],
      ]),
    ).toBe(false);
    expect(
      rules.breaksLimit([
        ['email', 'a'],
        ['email', 'b'],
        ['email', 'c'],
      ]),
    ).toBe(true);
  });

  it('hashes only the types configured so, with SHA-256 of the normalized value', () => {
    const hex = createHash('sha256').update('L-1').digest('hex');
    expect(rules.storedValue('loyalty_id', 'L-1')).toBe(`sha256:${hex}`);
    expect(rules.storedValue('loyalty_id', `sha256:${hex}`)).toBe(`sha256:${hex}`);
    expect(rules.storedValue('user_id', 'L-1')).toBe('L-1');
  });

  it('reads consent from the configured trait path', () => {
    expect(rules.allowsPersonalization({})).toBe(true);
    expect(rules.allowsPersonalization({ privacy: { personalize: true } })).toBe(true);
    expect(rules.allowsPersonalization({ privacy: { personalize: false } })).toBe(false);
    expect(rules.allowsPersonalization({ privacy: { personalize: ' Denied ' } })).toBe(false);
    expect(rules.allowsPersonalization({ privacy: 'yes' })).toBe(true);
  });

  it('refuses a bad file naming the path', () => {
    expect(() => IdentityRules.parse('identifiers: [{ type: user_id, limit: 0 }]')).toThrow(
      /^identifiers\.0\.limit: /,
    );
    expect(() => IdentityRules.parse('identifiers: [{ type: profile_id }]')).toThrow(/reserved/);
    expect(() => IdentityRules.parse('identifiers: [{ type: email }, { type: EMAIL }]')).toThrow(
      /twice/,
    );
    expect(() => IdentityRules.parse('identifiers: [{ type: email, colour: red }]')).toThrow(
      /identifiers\.0/,
    );
  });
});
