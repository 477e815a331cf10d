/**
 * Micro-benchmark for feature updates. Run: `npx tsx libs/features/bench/apply.bench-run.ts`.
 *
 * 1. applyEvent throughput with 10 features over 1,000 profiles × 200 events
 *    (60 days of event time, 10% arriving up to 3 days late).
 * 2. Window update vs a naive recompute (300k events per window size): the
 *    comparison `npm run bench -- --only windows` reports, whose code lives in
 *    tests/bench/window-compare.ts.
 */
import { parseFeatureDefinitions } from '@pulse/features';
import {
  applyAll,
  bestOf,
  buildWindowWorkload,
  compareWindows,
} from '../../../tests/bench/window-compare.js';

const RUNS = 7;

const TEN_FEATURES = `
features:
  - { id: orders_7d, kind: count, events: [Order Completed], window: 7d }
  - id: spend_7d
    kind: sum
    events: [Order Completed, Order Refunded]
    value: revenue
    window: 7d
  - id: spend_30d
    kind: sum
    events: [Order Completed, Order Refunded]
    value: revenue
    window: 30d
  - { id: max_order_90d, kind: max, events: [Order Completed], value: revenue, window: 90d }
  - { id: views_24h, kind: count, events: [Product Viewed], window: 24h }
  - id: distinct_products_30d
    kind: distinct_count
    each: products
    value: product.product_id
    window: 30d
  - { id: recent_products, kind: last_n, n: 5, each: products, value: product.product_id }
  - id: category_affinity
    kind: affinity
    each: products
    key: product.category
    weight: product.amount
    half_life: 7d
  - { id: first_order, kind: first_seen, events: [Order Completed] }
  - { id: last_active, kind: last_seen }
`;

function perSecond(events: number, ms: number): number {
  return events / (ms / 1_000);
}

function format(eventsPerSecond: number): string {
  return `${Math.round(eventsPerSecond).toLocaleString('en')}/s`;
}

const tenFeatures = parseFeatureDefinitions(TEN_FEATURES);
const mixed = buildWindowWorkload(1_000, 200);
const applyMs = bestOf(RUNS, () => applyAll(mixed, tenFeatures, false));
const readMs = bestOf(RUNS, () => applyAll(mixed, tenFeatures, true));
process.stdout.write(
  `10 features, 1,000 profiles, ${mixed.events.length.toLocaleString('en')} events\n`,
);
process.stdout.write(
  `  applyEvent                 ${format(perSecond(mixed.events.length, applyMs))}\n`,
);
process.stdout.write(
  `  applyEvent + readFeatures  ${format(perSecond(mixed.events.length, readMs))}\n`,
);

process.stdout.write(
  '\n30d sum in 1d buckets vs naive recompute (300k events, 60 days, 10% late)\n',
);
process.stdout.write(
  '  events/window  update   update+read  naive     ratio update / update+read\n',
);
for (const r of compareWindows([150, 500, 1_500], 300_000, RUNS)) {
  const ratios =
    `${(r.updatePerSec / r.naivePerSec).toFixed(1)}x / ` +
    `${(r.updateReadPerSec / r.naivePerSec).toFixed(1)}x`;
  const cells = [
    String(r.eventsPerWindow).padStart(13),
    format(r.updatePerSec).padStart(10),
    format(r.updateReadPerSec).padStart(12),
    format(r.naivePerSec).padStart(10),
    ratios.padStart(16),
  ];
  process.stdout.write(`${cells.join(' ')}\n`);
}
