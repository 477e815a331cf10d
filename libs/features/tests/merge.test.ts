import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  emptyStates,
  mergeStates,
  parseFeatureDefinitions,
  readFeatures,
} from '@pulse/features';
import type { FeatureStates } from '@pulse/features';
import { expectReadingClose } from './support/expect-close.js';
import { DAY, HOUR } from './support/make-event.js';
import { randomInt, seededRandom } from './support/random.js';
import { SHOP_FEATURES_YAML } from './support/reference.js';
import { randomShopEvent, toEvent } from './support/shop-events.js';
import type { ShopEvent } from './support/shop-events.js';

const defs = parseFeatureDefinitions(SHOP_FEATURES_YAML);

/** Features whose state involves no float arithmetic, so must match exactly. */
const EXACT = [
  'orders_7d',
  'min_revenue_24h',
  'max_revenue_30d',
  'items_1h',
  'page_views_90m',
  'distinct_products_30d',
  'distinct_categories',
  'orders_lifetime',
  'max_price',
  'min_revenue',
  'recent_products',
  'first_order',
  'last_active',
];

function applyAll(shops: readonly ShopEvent[]): FeatureStates {
  const states = emptyStates();
  for (const shop of shops) applyEvent(states, defs, toEvent(shop));
  return states;
}

describe('mergeStates', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'equals applying both event sets to one profile (seed %i)',
    (seed) => {
      const random = seededRandom(seed);
      const shops = Array.from({ length: 300 }, () => randomShopEvent(random));
      const a = shops.filter(() => random() < 0.3 + 0.4 * (seed % 2));
      const b = shops.filter((s) => !a.includes(s));

      const merged = applyAll(a);
      mergeStates(merged, applyAll(b), defs);
      const together = applyAll(shops);

      for (const id of EXACT) expect(merged[id], id).toEqual(together[id]);
      const newest = Math.max(...shops.map((s) => s.timeMs));
      for (const atMs of [
        newest,
        newest + 5 * HOUR + 7,
        newest + 3 * DAY,
        newest + randomInt(random, 90 * DAY),
      ]) {
        const expected = readFeatures(together, defs, atMs);
        const actual = readFeatures(merged, defs, atMs);
        for (const id of Object.keys(expected)) expectReadingClose(actual[id], expected[id], id);
      }
    },
  );

  it('copies into an empty profile and leaves the source untouched', () => {
    const random = seededRandom(99);
    const shops = Array.from({ length: 100 }, () => randomShopEvent(random));
    const from = applyAll(shops);
    const snapshot = structuredClone(from);

    const into = emptyStates();
    mergeStates(into, from, defs);
    expect(into).toEqual(from);

    // Writing to the merged profile must not reach the source's arrays.
    for (let i = 0; i < 50; i++) applyEvent(into, defs, toEvent(randomShopEvent(random)));
    expect(from).toEqual(snapshot);
  });

  it('is a no-op when the source is empty', () => {
    const random = seededRandom(5);
    const into = applyAll(Array.from({ length: 50 }, () => randomShopEvent(random)));
    const before = structuredClone(into);
    mergeStates(into, emptyStates(), defs);
    expect(into).toEqual(before);
  });

  it('ignores source state written under another definition', () => {
    const old = parseFeatureDefinitions({ features: [{ id: 'n', kind: 'count', window: '24h' }] });
    const current = parseFeatureDefinitions({
      features: [{ id: 'n', kind: 'count', window: '7d' }],
    });
    const from = emptyStates();
    applyEvent(
      from,
      old,
      toEvent({ timeMs: 0, action: 'order', revenue: 1, items: [], path: undefined }),
    );

    const into = emptyStates();
    mergeStates(into, from, current);
    expect(into).toEqual({});
  });
});
