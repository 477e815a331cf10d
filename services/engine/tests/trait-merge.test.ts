import { describe, expect, it } from 'vitest';
import { mergeTraits, traitPath } from '../src/profile/trait-merge.js';
import type { TraitWrite } from '../src/profile/trait-merge.js';

const empty = (): TraitWrite => ({ traits: {}, timesMs: {} });

describe('mergeTraits', () => {
  it('merges nested objects leaf by leaf, the later event time winning each leaf', () => {
    const target = empty();
    mergeTraits(target, { address: { city: 'Paris', zip: '75001' }, plan: 'basic' }, 100);
    mergeTraits(target, { address: { city: 'Lyon' } }, 200);
    mergeTraits(target, { address: { zip: '00000' }, plan: 'gold' }, 50);
    expect(target.traits).toEqual({ address: { city: 'Lyon', zip: '75001' }, plan: 'basic' });
    expect(target.timesMs).toEqual({ 'address/city': 200, 'address/zip': 100, plan: 100 });
  });

  it('refuses a change of type and counts it, at any depth', () => {
    const target = empty();
    mergeTraits(target, { age: 30, address: { city: 'Paris' } }, 100);
    const result = mergeTraits(target, { age: 'thirty', address: 'Paris, France' }, 200);
    expect(result.conflicts).toBe(2);
    expect(target.traits).toEqual({ age: 30, address: { city: 'Paris' } });
  });

  it('lets null clear a leaf, and a cleared leaf take any type', () => {
    const target = empty();
    mergeTraits(target, { nickname: 'Ada' }, 100);
    mergeTraits(target, { nickname: null }, 200);
    expect(target.traits).toEqual({ nickname: null });
    const result = mergeTraits(target, { nickname: 7 }, 300);
    expect(result.conflicts).toBe(0);
    expect(target.traits).toEqual({ nickname: 7 });
  });

  it('takes per-leaf times from a merged profile, older leaves losing to newer ones', () => {
    const survivor: TraitWrite = {
      traits: { city: 'Paris', tier: 'gold' },
      timesMs: { city: 100, tier: 300 },
    };
    mergeTraits(survivor, { city: 'Lyon', tier: 'silver', lang: 'fr' }, 0, {
      city: 160,
      tier: 200,
      lang: 50,
    });
    expect(survivor.traits).toEqual({ city: 'Lyon', tier: 'gold', lang: 'fr' });
    expect(survivor.timesMs).toEqual({ city: 160, tier: 300, lang: 50 });
  });

  it('keeps traits named like Object.prototype members', () => {
    const target = empty();
    const incoming = { constructor: 'x', toString: 1, nested: { valueOf: true } };
    const result = mergeTraits(target, incoming, 1);
    expect(result.conflicts).toBe(0);
    expect(target.traits).toEqual({ constructor: 'x', toString: 1, nested: { valueOf: true } });
  });

  it('escapes keys so that paths never collide', () => {
    expect(traitPath(['a/b'])).toBe('a~1b');
    expect(traitPath(['a', 'b'])).toBe('a/b');
    expect(traitPath(['~'])).toBe('~0');
  });
});
