import { describe, expect, it } from 'vitest';
import { isUnknownAudienceError, parseAudienceDefinitions } from '@pulse/audiences';
import type { RuleEvaluationError } from '@pulse/rules';
import { DAY_MS, NOW_MS, RETAIL_YAML, retailView } from './fixtures.js';

const retail = parseAudienceDefinitions(RETAIL_YAML);

describe('AudienceSet.evaluate', () => {
  it.each([
    ['a quiet UK customer who ordered before', {}, ['lapsed', 'uk']],
    ['two orders this week', { orders_7d: 2, orders_30d: 2 }, ['repeat_buyers_7d', 'uk']],
    ['one order this week', { orders_7d: 1, orders_30d: 1 }, ['uk']],
    ['exactly 1000 spent', { orders_30d: 1, spend_30d: 1000 }, ['big_spenders_30d', 'uk']],
    ['999.99 spent', { orders_30d: 1, spend_30d: 999.99 }, ['uk']],
    [
      'first seen 29 days ago',
      { orders_30d: 1, first_seen: NOW_MS - 29 * DAY_MS },
      ['new_customers', 'uk'],
    ],
    ['an order of 500', { orders_30d: 1, max_order_value_30d: 500 }, ['high_value_order', 'uk']],
    [
      'lantern affinity 50',
      { orders_30d: 1, category_affinity: { LANTERN: 50 } },
      ['lantern_lovers', 'uk'],
    ],
    ['two refunds', { orders_30d: 1, refunds_30d: 2 }, ['frequent_refunders', 'uk']],
  ])('puts %s in the expected audiences', (_case, features, expected) => {
    expect(retail.evaluate(retailView(features))).toEqual(expected);
  });

  it.each([
    [{ country: 'France' }, ['international', 'lapsed']],
    [{}, ['lapsed']],
  ])('reads traits %j', (traits, expected) => {
    expect(retail.evaluate(retailView({}, traits))).toEqual(expected);
  });

  it('counts a failing rule as not a member and reports it', () => {
    const set = parseAudienceDefinitions({
      audiences: [
        { id: 'gold', name: 'Gold', expression: "traits.plan == 'gold'" },
        { id: 'all', name: 'All', expression: 'true' },
      ],
    });
    const errors: [string, RuleEvaluationError][] = [];

    const members = set.evaluate(retailView(), { onError: (id, err) => errors.push([id, err]) });

    expect(members).toEqual(['all']);
    expect(errors.map(([id, err]) => [id, err.rule])).toEqual([
      ['gold', 'audiences[0].expression'],
    ]);
  });
});

describe('AudienceSet.evaluateSome', () => {
  it.each([
    ['two orders this week', { orders_7d: 2, orders_30d: 2 }],
    ['a quiet customer who ordered before', {}],
    [
      'a big spender with lantern affinity',
      { spend_30d: 2000, category_affinity: { LANTERN: 80 } },
    ],
  ])('agrees with evaluate on the audiences asked for, for %s', (_case, features) => {
    const view = retailView(features);
    const asked = ['uk', 'lapsed', 'repeat_buyers_7d', 'lantern_lovers'];
    const all = new Set(retail.evaluate(view));
    expect(retail.evaluateSome(asked, view)).toEqual(asked.filter((id) => all.has(id)));
  });

  it('counts an undefined audience as no membership', () => {
    expect(retail.evaluateSome(['no_such', 'uk'], retailView())).toEqual(['uk']);
    expect(retail.evaluateSome([], retailView())).toEqual([]);
  });
});

describe('AudienceSet.evaluateOne', () => {
  it.each([
    ['lapsed', true],
    ['repeat_buyers_7d', false],
  ])('evaluates %s as %s', (id, expected) => {
    expect(retail.evaluateOne(id, retailView())).toBe(expected);
  });

  it('throws UnknownAudienceError carrying the id', () => {
    let caught: unknown;
    try {
      retail.evaluateOne('vip', retailView());
    } catch (err) {
      caught = err;
    }

    expect(isUnknownAudienceError(caught)).toBe(true);
    expect(caught).toMatchObject({ audienceId: 'vip' });
  });
});

describe('AudienceSet lookups', () => {
  it('exposes sorted ids, size and get', () => {
    expect(retail.size).toBe(10);
    expect(retail.get('uk')?.name).toBe('United Kingdom');
    expect(retail.get('nope')).toBeUndefined();
    expect([...retail.ids].sort()).toEqual(retail.ids);
  });
});
