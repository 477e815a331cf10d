import { describe, expect, it } from 'vitest';
import { parseOfferCatalogue, rankOffers } from '@pulse/offers';
import type { RankOffersInput } from '@pulse/offers';
import type { RuleEvaluationError } from '@pulse/rules';
import { CATALOGUE, makeView, rankInput } from './fixtures.js';

const catalogue = parseOfferCatalogue(CATALOGUE);

const input = rankInput;

function ranked(overrides: Partial<RankOffersInput> = {}) {
  return rankOffers(catalogue, input(overrides)).map((o) => [o.offerId, o.score]);
}

describe('rankOffers', () => {
  it('orders by score, then by offer id on ties', () => {
    expect(ranked()).toEqual([
      ['lantern', 40.5],
      ['gift_wrap', 30],
      ['shipping', 30],
      ['spenders', 20],
      ['loyalty', 12],
    ]);
  });

  it.each([
    [0, []],
    [1, ['lantern']],
    [3, ['lantern', 'gift_wrap', 'shipping']],
  ])('returns at most %i offers', (limit, expected) => {
    expect(rankOffers(catalogue, input({ limit })).map((o) => o.offerId)).toEqual(expected);
  });

  it.each([-1, 1.5, Number.NaN])('rejects limit %s', (limit) => {
    expect(() => rankOffers(catalogue, input({ limit }))).toThrow(RangeError);
  });

  it.each([
    ['any one included audience', ['high_value_order'], true],
    ['both included audiences', ['big_spenders_30d', 'high_value_order'], true],
    ['no included audience', ['lapsed'], false],
  ])('shows shipping with %s', (_case, audiences, shown) => {
    const ids = rankOffers(catalogue, input({ audiences: new Set(audiences) })).map(
      (o) => o.offerId,
    );

    expect(ids.includes('shipping')).toBe(shown);
  });

  it('skips an offer for a profile in an excluded audience', () => {
    const ids = ranked({ audiences: new Set(['frequent_refunders']) }).map(([id]) => id);

    expect(ids).toEqual(['lantern', 'gift_wrap', 'spenders']);
  });

  it.each([
    [99.99, false],
    [100, true],
  ])('applies eligibility: spend_30d %s shows spenders: %s', (spend, shown) => {
    const ids = ranked({ view: makeView({ spend_30d: spend }) }).map(([id]) => id);

    expect(ids.includes('spenders')).toBe(shown);
  });

  it('skips an offer whose eligibility fails, and reports it', () => {
    const errors: [string, string, RuleEvaluationError][] = [];
    const view = makeView({ spend_30d: null });

    const offers = rankOffers(catalogue, input({ view }), {
      onError: (id, rule, err) => errors.push([id, rule, err]),
    });

    expect(offers.map((o) => o.offerId)).not.toContain('spenders');
    expect(errors.map(([id, rule, err]) => [id, rule, err.rule])).toEqual([
      ['spenders', 'eligibility', 'offers[3].eligibility'],
    ]);
  });

  it('returns nothing for a placement without offers', () => {
    expect(ranked({ placement: 'checkout' })).toEqual([]);
  });

  it('shows only the offers of the placement asked for', () => {
    expect(ranked({ placement: 'email', audiences: new Set(['lapsed']) })).toEqual([
      ['welcome', 30],
    ]);
  });
});
