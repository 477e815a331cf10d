/**
 * Micro-benchmark for feature updates. Run: `npx tsx libs/features/bench/apply.bench-run.ts`.
 *
 * 1. applyEvent throughput with 10 features over 1,000 profiles × 200 events
 *    (60 days of event time, 10% arriving up to 3 days late).
 * 2. Window update vs a naive recompute: one `sum` over 30d in 1d buckets,
 *    1,000 profiles × 300 events over 60 days (about 150 in each window),
 *    10% late. Per event, both update and then read the value at the profile's
 *    newest event time; the naive side keeps the raw (time, value) pairs still
 *    inside the window and rescans them.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import type { FeatureDefinitions, FeatureStates } from '@pulse/features';
import { EventSchema, EventType } from '@pulse/proto';
import type { Event } from '@pulse/proto';

const DAY_MS = 86_400_000;
const BASE_MS = Date.UTC(2024, 0, 1);
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

const SPEND_30D = `
features:
  - { id: spend_30d, kind: sum, value: revenue, window: 30d, bucket: 1d }
`;

/** Deterministic PRNG so runs compare. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload {
  profiles: number[];
  events: Event[];
}

/** Events in roughly global time order, each tagged with its profile. */
function buildWorkload(profiles: number, perProfile: number, spanDays: number): Workload {
  const random = seeded(42);
  const total = profiles * perProfile;
  const rows: { profile: number; timeMs: number; event: Event }[] = [];
  for (let i = 0; i < total; i++) {
    const arrivalMs = BASE_MS + (i / total) * spanDays * DAY_MS;
    const lateMs = random() < 0.1 ? random() * 3 * DAY_MS : 0;
    const timeMs = Math.floor(arrivalMs - lateMs);
    const name =
      random() < 0.4 ? 'Order Completed' : random() < 0.9 ? 'Product Viewed' : 'Order Refunded';
    const products = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      productId: `p${Math.floor(random() * 500)}`,
      category: `c${Math.floor(random() * 20)}`,
      price: Math.floor(random() * 10_000) / 100,
      quantity: 1 + Math.floor(random() * 2),
    }));
    const revenue = name === 'Order Refunded' ? -10 : Math.floor(random() * 20_000) / 100;
    const event = create(EventSchema, {
      messageId: `m${i}`,
      type: EventType.TRACK,
      event: name,
      timestamp: timestampFromMs(timeMs),
      commerce: { revenue, products },
    });
    rows.push({ profile: Math.floor(random() * profiles), timeMs, event });
  }
  return { profiles: rows.map((r) => r.profile), events: rows.map((r) => r.event) };
}

function bestOf(runs: number, body: () => void): number {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    body();
    bestMs = Math.min(bestMs, performance.now() - start);
  }
  return bestMs;
}

function applyAll(work: Workload, defs: FeatureDefinitions, profileCount: number, read: boolean) {
  const states: FeatureStates[] = Array.from({ length: profileCount }, emptyStates);
  const newest = new Float64Array(profileCount).fill(-Infinity);
  let sink = 0;
  for (let i = 0; i < work.events.length; i++) {
    const profile = work.profiles[i]!;
    const event = work.events[i]!;
    applyEvent(states[profile]!, defs, event);
    if (read) {
      const timeMs = Number(event.timestamp!.seconds) * 1_000;
      if (timeMs > newest[profile]!) newest[profile] = timeMs;
      const readings = readFeatures(states[profile]!, defs, newest[profile]! + 1);
      sink += readings['spend_30d'] as number;
    }
  }
  return sink;
}

/** The naive side: raw (time, value) pairs per profile, rescanned per event. */
function naiveAll(work: Workload, profileCount: number, windowMs: number) {
  const times: number[][] = Array.from({ length: profileCount }, () => []);
  const values: number[][] = Array.from({ length: profileCount }, () => []);
  const newest = new Float64Array(profileCount).fill(-Infinity);
  let sink = 0;
  for (let i = 0; i < work.events.length; i++) {
    const profile = work.profiles[i]!;
    const event = work.events[i]!;
    const timeMs =
      Number(event.timestamp!.seconds) * 1_000 + Math.floor(event.timestamp!.nanos / 1e6);
    const revenue = event.commerce?.revenue;
    if (revenue === undefined) continue;
    if (timeMs > newest[profile]!) newest[profile] = timeMs;
    const atMs = newest[profile]! + 1;
    const t = times[profile]!;
    const v = values[profile]!;
    t.push(timeMs);
    v.push(revenue);

    // Recompute from the raw pairs, dropping those no window can see again.
    let sum = 0;
    let kept = 0;
    for (let j = 0; j < t.length; j++) {
      if (t[j]! < atMs - windowMs) continue;
      if (t[j]! < atMs) sum += v[j]!;
      t[kept] = t[j]!;
      v[kept++] = v[j]!;
    }
    t.length = kept;
    v.length = kept;
    sink += sum;
  }
  return sink;
}

function perSecond(events: number, ms: number): number {
  return events / (ms / 1_000);
}

function format(eventsPerSecond: number): string {
  return `${Math.round(eventsPerSecond).toLocaleString('en')}/s`;
}

const tenFeatures = parseFeatureDefinitions(TEN_FEATURES);
const mixed = buildWorkload(1_000, 200, 60);
const applyMs = bestOf(RUNS, () => applyAll(mixed, tenFeatures, 1_000, false));
const readMs = bestOf(RUNS, () => applyAll(mixed, tenFeatures, 1_000, true));
process.stdout.write(
  `10 features, 1,000 profiles, ${mixed.events.length.toLocaleString('en')} events\n`,
);
process.stdout.write(
  `  applyEvent                 ${format(perSecond(mixed.events.length, applyMs))}\n`,
);
process.stdout.write(
  `  applyEvent + readFeatures  ${format(perSecond(mixed.events.length, readMs))}\n`,
);

const spend = parseFeatureDefinitions(SPEND_30D);
const TOTAL_EVENTS = 300_000;
process.stdout.write(
  '\n30d sum in 1d buckets vs naive recompute (300k events, 60 days, 10% late)\n',
);
process.stdout.write(
  '  events/window  update   update+read  naive     ratio update / update+read\n',
);
for (const perWindow of [150, 500, 1_500]) {
  const profiles = Math.round(TOTAL_EVENTS / (2 * perWindow));
  const work = buildWorkload(profiles, 2 * perWindow, 60);
  // Alternate the sides so a noisy neighbour slows them alike.
  let updateMs = Infinity;
  let updateReadMs = Infinity;
  let naiveMs = Infinity;
  for (let i = 0; i < RUNS; i++) {
    updateMs = Math.min(
      updateMs,
      bestOf(1, () => applyAll(work, spend, profiles, false)),
    );
    updateReadMs = Math.min(
      updateReadMs,
      bestOf(1, () => applyAll(work, spend, profiles, true)),
    );
    naiveMs = Math.min(
      naiveMs,
      bestOf(1, () => naiveAll(work, profiles, 30 * DAY_MS)),
    );
  }
  const cells = [
    String(perWindow).padStart(13),
    format(perSecond(work.events.length, updateMs)).padStart(10),
    format(perSecond(work.events.length, updateReadMs)).padStart(12),
    format(perSecond(work.events.length, naiveMs)).padStart(10),
    `${(naiveMs / updateMs).toFixed(1)}x / ${(naiveMs / updateReadMs).toFixed(1)}x`.padStart(16),
  ];
  process.stdout.write(`${cells.join(' ')}\n`);
}
