import type { ProfileView } from '@pulse/rules';

/** 2011-12-01T00:00:00Z, inside the UCI Online Retail data range. */
export const NOW_MS = Date.UTC(2011, 11, 1);

export const DAY_MS = 86_400_000;

/** A UK customer with two orders this week and a liking for lanterns. */
export function makeView(overrides: Partial<ProfileView> = {}): ProfileView {
  return {
    profileId: 'p1',
    traits: { country: 'United Kingdom', address: { city: 'London' }, tags: ['gift', 'trade'] },
    features: {
      orders_7d: 2,
      orders_30d: 3,
      spend_30d: 1250.5,
      max_order_value_30d: null,
      first_seen: NOW_MS - 31 * DAY_MS,
      recent_products: ['WHITE METAL LANTERN', 'JUMBO BAG RED RETROSPOT'],
      category_affinity: { LANTERN: 35, BAG: 10 },
    },
    identifiers: { email: ['ann@example.com'], user_id: ['17850'] },
    nowMs: NOW_MS,
    ...overrides,
  };
}
