import type { RankOffersInput } from '@pulse/offers';
import type { FeatureReading, ProfileView } from '@pulse/rules';

/** 2011-12-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2011, 11, 1);

const LANTERN_BOOST =
  "'LANTERN' in features.category_affinity ? features.category_affinity['LANTERN'] / 100.0 : 0.0";

/**
 * Hand-worked scores (priority × value × (1 + boost)) for the fixture view:
 * lantern 2 × 15 × 1.35 = 40.5; gift_wrap 1 × 30 = 30; shipping 3 × 10 = 30;
 * spenders 1 × 20 = 20; loyalty 2 × 6 = 12; welcome 2 × 15 = 30.
 */
export const CATALOGUE = {
  offers: [
    {
      id: 'lantern',
      name: 'Lanterns',
      placements: ['homepage'],
      priority: 2,
      value: 15,
      boost: LANTERN_BOOST,
    },
    {
      id: 'shipping',
      name: 'Free shipping',
      placements: ['homepage', 'cart'],
      audiences: { include: ['big_spenders_30d', 'high_value_order'] },
      priority: 3,
      value: 10,
      content: { code: 'SHIPFREE' },
    },
    { id: 'gift_wrap', name: 'Gift wrap', placements: ['homepage', 'cart'], value: 30 },
    {
      id: 'spenders',
      name: 'Spenders',
      placements: ['homepage'],
      eligibility: 'features.spend_30d >= 100.0',
      value: 20,
    },
    {
      id: 'loyalty',
      name: 'Loyalty',
      placements: ['homepage'],
      audiences: { exclude: ['frequent_refunders'] },
      priority: 2,
      value: 6,
    },
    {
      id: 'welcome',
      name: 'Welcome back',
      placements: ['email'],
      audiences: { include: ['lapsed'] },
      priority: 2,
      value: 15,
    },
  ],
};

export function makeView(features: Record<string, FeatureReading> = {}): ProfileView {
  return {
    profileId: 'p1',
    traits: { country: 'United Kingdom' },
    features: { spend_30d: 150, category_affinity: { LANTERN: 35 }, ...features },
    identifiers: {},
    nowMs: NOW_MS,
  };
}

/** A ranking input for the homepage with `overrides` applied. */
export function rankInput(overrides: Partial<RankOffersInput> = {}): RankOffersInput {
  return {
    placement: 'homepage',
    view: makeView(),
    audiences: new Set(['big_spenders_30d']),
    nowMs: NOW_MS,
    limit: 10,
    ...overrides,
  };
}
