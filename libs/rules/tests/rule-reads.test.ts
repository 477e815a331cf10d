import { describe, expect, it } from 'vitest';
import { ruleReads } from '@pulse/rules';

/** The reads of one expression, sets as sorted arrays (`'all'` for the whole map). */
function readsOf(expression: string) {
  const reads = ruleReads([expression]);
  const show = (keys: ReadonlySet<string> | undefined) => (keys ? [...keys].sort() : 'all');
  return {
    traits: show(reads.traits),
    features: show(reads.features),
    identifiers: show(reads.identifiers),
  };
}

describe('ruleReads', () => {
  it.each<[string, Partial<ReturnType<typeof readsOf>>]>([
    ['features.orders_7d >= 2.0', { features: ['orders_7d'] }],
    ["has(traits.country) && traits.country == 'UK'", { traits: ['country'] }],
    ["traits['plan'] == 'gold'", { traits: ['plan'] }],
    ["'LANTERN' in features.aff && features.aff['LANTERN'] > 1.0", { features: ['aff'] }],
    ['size(identifiers.email) > 0', { identifiers: ['email'] }],
    ['now - features.first_seen < days(30)', { features: ['first_seen'] }],
    ["'plan' in traits", { traits: 'all' }],
    ['size(features) > 3', { features: 'all' }],
    ['traits.exists(k, k == "vip")', { traits: 'all' }],
    ['traits[profile_id] == 1.0', { traits: 'all' }],
    ['[1.0].exists(features, features > 0.0)', {}],
    ['[traits].exists(t, t.plan == "x")', { traits: 'all' }],
    ['features.a.b > 1.0 && traits.x.y == 1.0', { features: ['a'], traits: ['x'] }],
    ['{"k": features.c}.k > 1.0', { features: ['c'] }],
  ])('reads %s', (expression, expected) => {
    expect(readsOf(expression)).toEqual({ traits: [], features: [], identifiers: [], ...expected });
  });

  it('unites the reads of several rules, the whole map winning', () => {
    const reads = ruleReads(['features.a > 1.0', 'features.b > 1.0', "'x' in traits"]);
    expect([...reads.features!].sort()).toEqual(['a', 'b']);
    expect(reads.traits).toBeUndefined();
    expect(reads.identifiers?.size).toBe(0);
  });
});
