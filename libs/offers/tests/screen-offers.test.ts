import { describe, expect, it } from 'vitest';
import { parseOfferCatalogue, screenOffers } from '@pulse/offers';
import { CATALOGUE, makeView, NOW_MS, rankInput } from './fixtures.js';

const catalogue = parseOfferCatalogue(CATALOGUE);

function outcomes(overrides: Parameters<typeof rankInput>[0] = {}) {
  return screenOffers(catalogue, rankInput(overrides)).map((screened) =>
    screened.status === 'eligible'
      ? [screened.offer.id, 'eligible', screened.score]
      : [screened.offer.id, screened.status, screened.reason],
  );
}

describe('screenOffers', () => {
  it('reports every offer of the placement in id order, eligible ones with the fixed score', () => {
    expect(outcomes()).toEqual([
      ['gift_wrap', 'eligible', 30],
      ['lantern', 'eligible', 40.5],
      ['loyalty', 'eligible', 12],
      ['shipping', 'eligible', 30],
      ['spenders', 'eligible', 20],
    ]);
  });

  it('says which audience or rule drops an offer', () => {
    const view = makeView({ spend_30d: 50 });
    const screened = outcomes({ view, audiences: new Set(['frequent_refunders']) });
    expect(screened.filter(([, status]) => status !== 'eligible')).toEqual([
      ['loyalty', 'not_eligible', "in excluded audience 'frequent_refunders'"],
      [
        'shipping',
        'not_eligible',
        "in none of the audiences 'big_spenders_30d', 'high_value_order'",
      ],
      ['spenders', 'not_eligible', 'eligibility does not hold: features.spend_30d >= 100.0'],
    ]);
  });

  it('drops an offer outside its schedule first', () => {
    const scheduled = parseOfferCatalogue({
      offers: [
        {
          id: 'xmas',
          name: 'Christmas',
          placements: ['homepage'],
          group: 'seasonal',
          value: 5,
          start: '2011-12-10T00:00:00Z',
          end: '2011-12-24T00:00:00Z',
        },
      ],
    });
    const [outcome] = screenOffers(scheduled, rankInput({ nowMs: NOW_MS }));
    expect(outcome).toMatchObject({
      status: 'outside_schedule',
      reason: 'scheduled 2011-12-10T00:00:00Z to 2011-12-24T00:00:00Z',
    });
    expect(scheduled.get('xmas')?.group).toBe('seasonal');
  });

  it('screens offers that share a rule text alike, each failure reported under its own offer', () => {
    const offer = (id: string, extra: Record<string, unknown>) => ({
      id,
      name: id,
      placements: ['homepage'],
      value: 10,
      ...extra,
    });
    const shared = parseOfferCatalogue({
      offers: [
        offer('a', {
          eligibility: 'features.spend_30d >= 100.0',
          boost: 'features.spend_30d / 100.0',
        }),
        offer('b', {
          eligibility: 'features.spend_30d >= 100.0',
          boost: 'features.spend_30d / 100.0',
        }),
        offer('c', { eligibility: "traits.plan == 'gold'" }),
        offer('d', { eligibility: "traits.plan == 'gold'" }),
      ],
    });
    const failed: string[] = [];
    const onError = (offerId: string, rule: string) => failed.push(`${offerId}.${rule}`);

    const screened = screenOffers(shared, rankInput(), { onError });

    expect(screened.map((s) => [s.offer.id, s.status])).toEqual([
      ['a', 'eligible'],
      ['b', 'eligible'],
      ['c', 'not_eligible'],
      ['d', 'not_eligible'],
    ]);
    // 150 spent: a boost of 1.5, so 10 × (1 + 1.5).
    expect(screened.slice(0, 2).map((s) => s.status === 'eligible' && s.score)).toEqual([25, 25]);
    expect(failed).toEqual(['c.eligibility', 'd.eligibility']);
  });
});
