import { readFileSync } from 'node:fs';
import type { FeatureReading, ProfileView } from '@pulse/rules';

/** 2011-12-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2011, 11, 1);

export const DAY_MS = 86_400_000;

/** The example audience definitions for the UCI Online Retail data. */
export const RETAIL_YAML = readFileSync(
  new URL('../../../deploy/definitions/retail/audiences.yaml', import.meta.url),
  'utf8',
);

/** A profile with every retail feature present and quiet (a lapsed UK customer). */
export function retailView(
  features: Record<string, FeatureReading> = {},
  traits: ProfileView['traits'] = { country: 'United Kingdom' },
): ProfileView {
  return {
    profileId: 'p1',
    traits,
    features: {
      orders_7d: 0,
      orders_30d: 0,
      orders_lifetime: 4,
      spend_7d: 0,
      spend_30d: 0,
      spend_lifetime: 820,
      refunds_30d: 0,
      distinct_products_30d: 0,
      max_order_value_30d: null,
      recent_products: ['WHITE METAL LANTERN'],
      category_affinity: { LANTERN: 12 },
      first_seen: NOW_MS - 200 * DAY_MS,
      last_seen: NOW_MS - 45 * DAY_MS,
      ...features,
    },
    identifiers: { user_id: ['17850'] },
    nowMs: NOW_MS,
  };
}
