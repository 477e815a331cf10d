import { DAY, HOUR, MINUTE } from './make-event.js';
import type { ShopEvent } from './shop-events.js';

/**
 * A brute-force reference: it keeps every raw contribution and recomputes a
 * reading from scratch, straight from the written semantics.
 */

/** One value a shop event contributes to a feature, at its event time. */
export interface Contribution {
  timeMs: number;
  value: number | string;
  weight: number;
}

type Extract = (shop: ShopEvent) => { value: number | string; weight?: number }[];

/** What the reference knows of a feature: kind, window and how to extract values. */
export interface ReferenceFeature {
  kind: string;
  /** Window and bucket in ms, written out by hand; absent for lifetime. */
  windowMs?: number;
  bucketMs?: number;
  n?: number;
  halfLifeMs?: number;
  extract: Extract;
}

const isOrder = (s: ShopEvent) => s.action === 'order';
const hasCommerce = (s: ShopEvent) => s.revenue !== undefined;
const once = (value: number | string) => [{ value }];
const items = (s: ShopEvent) => s.items;

/** The features of {@link SHOP_FEATURES_YAML}, as the reference computes them. */
export const SHOP_FEATURES: Record<string, ReferenceFeature> = {
  orders_7d: {
    kind: 'count',
    windowMs: 7 * DAY,
    bucketMs: HOUR,
    extract: (s) => (isOrder(s) ? once(1) : []),
  },
  spend_7d: {
    kind: 'sum',
    windowMs: 7 * DAY,
    bucketMs: HOUR,
    extract: (s) => (s.action === 'order' || s.action === 'refund' ? once(s.revenue!) : []),
  },
  min_revenue_24h: {
    kind: 'min',
    windowMs: DAY,
    bucketMs: 15 * MINUTE,
    extract: (s) => (hasCommerce(s) ? once(s.revenue!) : []),
  },
  max_revenue_30d: {
    kind: 'max',
    windowMs: 30 * DAY,
    bucketMs: 6 * HOUR,
    extract: (s) => (isOrder(s) ? once(s.revenue!) : []),
  },
  items_1h: {
    kind: 'count',
    windowMs: HOUR,
    bucketMs: MINUTE,
    extract: (s) => items(s).map(() => ({ value: 1 })),
  },
  page_views_90m: {
    kind: 'count',
    windowMs: 90 * MINUTE,
    bucketMs: HOUR,
    extract: (s) => (s.action === 'page' ? once(1) : []),
  },
  distinct_products_30d: {
    kind: 'distinct_count',
    windowMs: 30 * DAY,
    bucketMs: 6 * HOUR,
    extract: (s) => items(s).map((i) => ({ value: i.productId })),
  },
  distinct_categories: {
    kind: 'distinct_count',
    extract: (s) => items(s).map((i) => ({ value: i.category })),
  },
  amount_90d: {
    kind: 'sum',
    windowMs: 90 * DAY,
    bucketMs: DAY,
    extract: (s) => items(s).map((i) => ({ value: i.price * i.quantity })),
  },
  orders_lifetime: { kind: 'count', extract: (s) => (isOrder(s) ? once(1) : []) },
  max_price: { kind: 'max', extract: (s) => items(s).map((i) => ({ value: i.price })) },
  min_revenue: { kind: 'min', extract: (s) => (hasCommerce(s) ? once(s.revenue!) : []) },
  recent_products: {
    kind: 'last_n',
    n: 5,
    extract: (s) => items(s).map((i) => ({ value: i.productId })),
  },
  first_order: { kind: 'first_seen', extract: (s) => (isOrder(s) ? once(1) : []) },
  last_active: { kind: 'last_seen', extract: () => once(1) },
  category_affinity: {
    kind: 'affinity',
    halfLifeMs: 7 * DAY,
    extract: (s) => items(s).map((i) => ({ value: i.category, weight: i.price * i.quantity })),
  },
  path_affinity: {
    kind: 'affinity',
    halfLifeMs: DAY,
    extract: (s) => (s.action === 'page' ? once(s.path!) : []),
  },
};

/** The same features as definitions for the code under test. */
export const SHOP_FEATURES_YAML = `
features:
  - { id: orders_7d, kind: count, events: [Order Completed], window: 7d }
  - id: spend_7d
    kind: sum
    events: [Order Completed, Order Refunded]
    value: revenue
    window: 7d
  - { id: min_revenue_24h, kind: min, value: revenue, window: 24h }
  - id: max_revenue_30d
    kind: max
    events: [Order Completed]
    value: revenue
    window: 30d
  - { id: items_1h, kind: count, each: products, window: 1h }
  - { id: page_views_90m, kind: count, types: [page], window: 90m, bucket: 1h }
  - id: distinct_products_30d
    kind: distinct_count
    each: products
    value: product.product_id
    window: 30d
  - { id: distinct_categories, kind: distinct_count, each: products, value: product.category }
  - { id: amount_90d, kind: sum, each: products, value: product.amount, window: 90d }
  - { id: orders_lifetime, kind: count, events: [Order Completed], window: lifetime }
  - { id: max_price, kind: max, each: products, value: product.price }
  - { id: min_revenue, kind: min, value: revenue }
  - { id: recent_products, kind: last_n, n: 5, each: products, value: product.product_id }
  - { id: first_order, kind: first_seen, events: [Order Completed] }
  - { id: last_active, kind: last_seen }
  - id: category_affinity
    kind: affinity
    each: products
    key: product.category
    weight: product.amount
    half_life: 7d
    max_keys: 100
  - { id: path_affinity, kind: affinity, types: [page], key: context.page.path, half_life: 1d }
`;

/** Raw contributions of `events` to `feature`. */
export function contributions(feature: ReferenceFeature, events: readonly ShopEvent[]) {
  const out: Contribution[] = [];
  for (const shop of events) {
    for (const { value, weight } of feature.extract(shop)) {
      out.push({ timeMs: shop.timeMs, value, weight: weight ?? 1 });
    }
  }
  return out;
}

/**
 * Whether a contribution at `timeMs` counts in a read at `atMs`. When the read
 * instant and the window are whole buckets this is plainly
 * `atMs − W <= timeMs < atMs`; otherwise the event's bucket must overlap it.
 */
export function covers(feature: ReferenceFeature, timeMs: number, atMs: number): boolean {
  const { windowMs, bucketMs } = feature;
  if (windowMs === undefined || bucketMs === undefined) return true;
  if (atMs % bucketMs === 0 && windowMs % bucketMs === 0) {
    return atMs - windowMs <= timeMs && timeMs < atMs;
  }
  const start = Math.floor(timeMs / bucketMs) * bucketMs;
  return start < atMs && start + bucketMs > atMs - windowMs;
}

function newestFirst(a: Contribution, b: Contribution): number {
  if (a.timeMs !== b.timeMs) return b.timeMs - a.timeMs;
  return a.value < b.value ? 1 : a.value > b.value ? -1 : 0;
}

/** The reading the written semantics give for `all` contributions at `atMs`. */
export function referenceReading(feature: ReferenceFeature, all: Contribution[], atMs: number) {
  const inWindow = all.filter((c) => covers(feature, c.timeMs, atMs));
  const values = inWindow.map((c) => c.value as number);
  const times = all.map((c) => c.timeMs);
  switch (feature.kind) {
    case 'count':
      return inWindow.length;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'min':
      return values.length === 0 ? null : Math.min(...values);
    case 'max':
      return values.length === 0 ? null : Math.max(...values);
    case 'distinct_count':
      return new Set(inWindow.map((c) => String(c.value))).size;
    case 'last_n': {
      const readable = all.filter((c) => c.timeMs <= atMs).sort(newestFirst);
      return readable.slice(0, feature.n).map((c) => String(c.value));
    }
    case 'first_seen':
      return times.length === 0 ? null : Math.min(...times);
    case 'last_seen':
      return times.length === 0 ? null : Math.max(...times);
    case 'affinity':
      return referenceAffinity(feature.halfLifeMs!, all, atMs);
  }
  throw new Error(`no reference for kind ${feature.kind}`);
}

function referenceAffinity(halfLifeMs: number, all: Contribution[], atMs: number) {
  const scores: Record<string, number> = {};
  for (const c of all) {
    const key = String(c.value);
    scores[key] = (scores[key] ?? 0) + c.weight * 2 ** (-(atMs - c.timeMs) / halfLifeMs);
  }
  for (const key of Object.keys(scores)) if (scores[key]! <= 1e-9) delete scores[key];
  return scores;
}
