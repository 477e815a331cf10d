import { describe, expect, it } from 'vitest';
import { parseOfferCatalogue, rankOffers } from '@pulse/offers';
import type { RankOffersInput } from '@pulse/offers';
import { CATALOGUE, makeView, rankInput } from './fixtures.js';

const catalogue = parseOfferCatalogue(CATALOGUE);

const input = rankInput;

function single(offer: Record<string, unknown>, overrides: Partial<RankOffersInput> = {}) {
  const base = { id: 'x', name: 'X', placements: ['homepage'] };
  return rankOffers(parseOfferCatalogue({ offers: [{ ...base, ...offer }] }), input(overrides));
}

describe('rankOffers scores and reasons', () => {
  it('explains a boosted offer', () => {
    const [lantern] = rankOffers(catalogue, input());

    expect(lantern?.reasons).toEqual([
      "placement 'homepage'",
      `boost 0.35 from: ${CATALOGUE.offers[0]?.boost}`,
      'score = 2 × 15 × (1 + 0.35) = 40.5',
    ]);
  });

  it('explains audiences, eligibility and content', () => {
    const offers = rankOffers(catalogue, input({ audiences: new Set(['high_value_order']) }));
    const shipping = offers.find((o) => o.offerId === 'shipping');
    const spenders = offers.find((o) => o.offerId === 'spenders');

    expect(shipping).toEqual({
      offerId: 'shipping',
      name: 'Free shipping',
      score: 30,
      reasons: [
        "placement 'homepage'",
        "in audience 'high_value_order'",
        'score = 3 × 10 × (1 + 0) = 30',
      ],
      content: { code: 'SHIPFREE' },
    });
    expect(spenders?.reasons).toContain('eligibility holds: features.spend_30d >= 100.0');
  });

  it.each([
    // priority, value, affinity -> hand-worked score
    [1, 10, 0, 10],
    [1.5, 4, 50, 9],
    [0.1, 3, 10, 0.33],
    [2, 0, 90, 0],
  ])('scores priority %s × value %s with affinity %s as %s', (priority, value, affinity, score) => {
    const boost = "features.category_affinity['LANTERN'] / 100.0";
    const view = makeView({ category_affinity: { LANTERN: affinity } });

    const [offer] = single({ priority, value, boost }, { view });

    expect(offer?.score).toBe(score);
  });

  it.each([
    [
      'a failing boost',
      "features.category_affinity['CANDLE'] / 100.0",
      'boost failed, counted as 0',
    ],
    ['a negative boost', '-0.5', 'boost must be >= 0'],
  ])('counts %s as 0', (_case, boost, reason) => {
    const [offer] = single({ priority: 2, value: 5, boost });

    expect(offer?.score).toBe(10);
    expect(offer?.reasons.some((r) => r.includes(reason))).toBe(true);
  });

  it.each([
    ['before start', Date.UTC(2011, 10, 30, 23, 59, 59, 999), false],
    ['at start', Date.UTC(2011, 11, 1), true],
    ['just before end', Date.UTC(2011, 11, 23, 23, 59, 59, 999), true],
    ['at end', Date.UTC(2011, 11, 24), false],
  ])('applies the schedule %s', (_case, nowMs, shown) => {
    const schedule = { value: 1, start: '2011-12-01T00:00:00Z', end: '2011-12-24T00:00:00+00:00' };

    expect(single(schedule, { nowMs }).length).toBe(shown ? 1 : 0);
  });

  it('explains the schedule', () => {
    const [offer] = single({ value: 1, start: '2011-12-01T00:00:00Z' });

    expect(offer?.reasons).toContain('within schedule 2011-12-01T00:00:00Z to (open)');
  });

  it('lets eligibility read the request and placement', () => {
    const eligibility = "placement == 'homepage' && request.page == 'basket'";

    expect(single({ value: 1, eligibility }, { request: { page: 'basket' } }).length).toBe(1);
    expect(single({ value: 1, eligibility }, { request: { page: 'home' } }).length).toBe(0);
  });
});
