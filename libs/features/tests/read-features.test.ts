import { describe, expect, it } from 'vitest';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import type { FeatureStates } from '@pulse/features';
import { expectReadingClose } from './support/expect-close.js';
import { DAY, HOUR, MINUTE, at, track } from './support/make-event.js';
import { randomInt, seededRandom, shuffled } from './support/random.js';
import {
  SHOP_FEATURES,
  SHOP_FEATURES_YAML,
  contributions,
  referenceReading,
} from './support/reference.js';
import { randomShopEvent, toEvent } from './support/shop-events.js';
import type { ShopEvent } from './support/shop-events.js';

const shopDefs = parseFeatureDefinitions(SHOP_FEATURES_YAML);

function applyAll(shops: readonly ShopEvent[]): FeatureStates {
  const states = emptyStates();
  for (const shop of shops) applyEvent(states, shopDefs, toEvent(shop));
  return states;
}

function expectMatchesReference(states: FeatureStates, shops: ShopEvent[], atMs: number) {
  const readings = readFeatures(states, shopDefs, atMs);
  for (const [id, feature] of Object.entries(SHOP_FEATURES)) {
    const expected = referenceReading(feature, contributions(feature, shops), atMs);
    expectReadingClose(readings[id], expected, `${id} at ${new Date(atMs).toISOString()}`);
  }
}

function randomShops(seed: number, count: number): ShopEvent[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => randomShopEvent(random));
}

const newestOf = (shops: ShopEvent[]) => Math.max(...shops.map((s) => s.timeMs));

describe('readFeatures', () => {
  it.each([1, 2, 3, 4, 5])('matches [t − W, t) at day-aligned instants (seed %i)', (seed) => {
    const shops = randomShops(seed, 400);
    const states = applyAll(shops);
    const firstMidnight = Math.ceil(newestOf(shops) / DAY) * DAY;

    for (const days of [0, 1, 2, 6, 7, 8, 29, 30, 31, 89, 90, 91]) {
      expectMatchesReference(states, shops, firstMidnight + days * DAY);
    }
  });

  it.each([6, 7, 8, 9, 10])(
    'matches the bucket-overlap rule at unaligned instants (seed %i)',
    (seed) => {
      const shops = randomShops(seed, 400);
      const states = applyAll(shops);
      const newest = newestOf(shops);
      const random = seededRandom(seed * 31);

      expectMatchesReference(states, shops, newest);
      expectMatchesReference(states, shops, newest + 1);
      for (let i = 0; i < 25; i++) {
        const offsetMs = randomInt(random, i < 10 ? 2 * HOUR : 95 * DAY);
        expectMatchesReference(states, shops, newest + offsetMs);
      }
    },
  );

  it('gives the same readings whatever order events arrive in', () => {
    const shops = randomShops(11, 600);
    const sorted = [...shops].sort((a, b) => a.timeMs - b.timeMs);
    const atMs = newestOf(shops) + 3 * HOUR + 17 * MINUTE + 5;

    const expected = readFeatures(applyAll(sorted), shopDefs, atMs);
    for (const seed of [1, 2, 3]) {
      const actual = readFeatures(applyAll(shuffled(seededRandom(seed), shops)), shopDefs, atMs);
      for (const id of Object.keys(expected)) expectReadingClose(actual[id], expected[id], id);
    }
  });

  it('reports every defined feature as empty for a profile without state', () => {
    expect(readFeatures(emptyStates(), shopDefs, at('2024-03-08T00:00:00Z'))).toEqual({
      orders_7d: 0,
      spend_7d: 0,
      min_revenue_24h: null,
      max_revenue_30d: null,
      items_1h: 0,
      page_views_90m: 0,
      distinct_products_30d: 0,
      distinct_categories: 0,
      amount_90d: 0,
      orders_lifetime: 0,
      max_price: null,
      min_revenue: null,
      recent_products: [],
      first_order: null,
      last_active: null,
      category_affinity: {},
      path_affinity: {},
    });
  });

  it('counts three orders in a 7d window read at midnight', () => {
    const defs = parseFeatureDefinitions({
      features: [{ id: 'orders_7d', kind: 'count', events: ['Order Completed'], window: '7d' }],
    });
    const states = emptyStates();
    for (const iso of [
      '2024-03-01T10:00:00Z',
      '2024-03-05T23:59:59.999Z',
      '2024-03-08T00:00:00Z',
    ]) {
      applyEvent(states, defs, track('Order Completed', at(iso)));
    }
    const countAt = (iso: string) => readFeatures(states, defs, at(iso))['orders_7d'];

    // [03-01T00:00, 03-08T00:00): the third order sits exactly at t, so not yet.
    expect(countAt('2024-03-08T00:00:00Z')).toBe(2);
    // [03-01T10:00, 03-08T10:00): the first order is exactly at the start.
    expect(countAt('2024-03-08T10:00:00Z')).toBe(3);
    // Unaligned: the 10:00-11:00 bucket of 03-01 still overlaps [03-01T10:30, ...).
    expect(countAt('2024-03-08T10:30:00Z')).toBe(3);
    expect(countAt('2024-03-08T11:00:00Z')).toBe(2);
    // [03-06T00:00, 03-13T00:00) holds only the third.
    expect(countAt('2024-03-13T00:00:00Z')).toBe(1);
    // [03-08T00:00, 03-15T00:00) still starts with the third; an hour later it is gone.
    expect(countAt('2024-03-15T00:00:00Z')).toBe(1);
    expect(countAt('2024-03-15T01:00:00Z')).toBe(0);
  });
});
