/**
 * Window update vs a naive recompute, shared by `windows.bench.ts` and the
 * micro-benchmark in `libs/features/bench/apply.bench-run.ts`.
 *
 * One `sum` over 30d in 1d buckets; per window size, profiles × 2 windows of
 * events over 60 days, 10% arriving up to 3 days late. The update+read side
 * also reads the value at the profile's newest event time after each event;
 * the naive side keeps the raw (time, value) pairs still inside the window
 * and rescans them on every event, so it always pays the read.
 */
import { performance } from 'node:perf_hooks';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import type { FeatureDefinitions, FeatureStates } from '@pulse/features';
import { EventSchema, EventType } from '@pulse/proto';
import type { Event } from '@pulse/proto';
import { createRandom } from './random.js';

const DAY_MS = 86_400_000;
const BASE_MS = Date.UTC(2024, 0, 1);
const SPAN_DAYS = 60;
const WINDOW_MS = 30 * DAY_MS;

const SPEND_30D = `
features:
  - { id: spend_30d, kind: sum, value: revenue, window: 30d, bucket: 1d }
`;

/** Events in roughly global time order, each tagged with its profile index. */
export interface WindowWorkload {
  profileCount: number;
  profiles: number[];
  events: Event[];
}

/** Events per profile are spread over `spanDays`, 10% up to 3 days late. */
export function buildWindowWorkload(
  profileCount: number,
  perProfile: number,
  spanDays = SPAN_DAYS,
): WindowWorkload {
  const random = createRandom(42);
  const total = profileCount * perProfile;
  const profiles: number[] = [];
  const events: Event[] = [];
  for (let i = 0; i < total; i++) {
    const arrivalMs = BASE_MS + (i / total) * spanDays * DAY_MS;
    const lateMs = random() < 0.1 ? random() * 3 * DAY_MS : 0;
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
      timestamp: timestampFromMs(Math.floor(arrivalMs - lateMs)),
      commerce: { revenue, products },
    });
    profiles.push(Math.floor(random() * profileCount));
    events.push(event);
  }
  return { profileCount, profiles, events };
}

/** Applies every event with `applyEvent`; with `read`, reads `readId` after each. */
export function applyAll(
  work: WindowWorkload,
  defs: FeatureDefinitions,
  read: boolean,
  readId = 'spend_30d',
): number {
  const states: FeatureStates[] = Array.from({ length: work.profileCount }, emptyStates);
  const newest = new Float64Array(work.profileCount).fill(-Infinity);
  let sink = 0;
  for (let i = 0; i < work.events.length; i++) {
    const profile = work.profiles[i]!;
    const event = work.events[i]!;
    applyEvent(states[profile]!, defs, event);
    if (read) {
      const timeMs = Number(event.timestamp!.seconds) * 1_000;
      if (timeMs > newest[profile]!) newest[profile] = timeMs;
      const readings = readFeatures(states[profile]!, defs, newest[profile]! + 1);
      sink += readings[readId] as number;
    }
  }
  return sink;
}

/** The naive side: raw (time, value) pairs per profile, rescanned per event. */
export function naiveAll(work: WindowWorkload, windowMs = WINDOW_MS): number {
  const times: number[][] = Array.from({ length: work.profileCount }, () => []);
  const values: number[][] = Array.from({ length: work.profileCount }, () => []);
  const newest = new Float64Array(work.profileCount).fill(-Infinity);
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

/** The fastest of `runs` timed calls of `body`, in milliseconds. */
export function bestOf(runs: number, body: () => void): number {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    body();
    bestMs = Math.min(bestMs, performance.now() - start);
  }
  return bestMs;
}

/** Throughputs of one window size, in events per second. */
export interface WindowComparison {
  eventsPerWindow: number;
  events: number;
  profiles: number;
  updatePerSec: number;
  updateReadPerSec: number;
  naivePerSec: number;
}

/**
 * Compares the bucketed window with the naive recompute at each size in
 * `eventsPerWindow`, `totalEvents` per size, best of `runs` for every side.
 */
export function compareWindows(
  eventsPerWindow: readonly number[],
  totalEvents: number,
  runs: number,
): WindowComparison[] {
  const spend = parseFeatureDefinitions(SPEND_30D);
  return eventsPerWindow.map((perWindow) => {
    const profiles = Math.max(1, Math.round(totalEvents / (2 * perWindow)));
    const work = buildWindowWorkload(profiles, 2 * perWindow);
    // Alternate the sides so a noisy neighbour slows them alike.
    let updateMs = Infinity;
    let updateReadMs = Infinity;
    let naiveMs = Infinity;
    for (let i = 0; i < runs; i++) {
      updateMs = Math.min(
        updateMs,
        bestOf(1, () => applyAll(work, spend, false)),
      );
      updateReadMs = Math.min(
        updateReadMs,
        bestOf(1, () => applyAll(work, spend, true)),
      );
      naiveMs = Math.min(
        naiveMs,
        bestOf(1, () => naiveAll(work)),
      );
    }
    const n = work.events.length;
    return {
      eventsPerWindow: perWindow,
      events: n,
      profiles,
      updatePerSec: (n * 1_000) / updateMs,
      updateReadPerSec: (n * 1_000) / updateReadMs,
      naivePerSec: (n * 1_000) / naiveMs,
    };
  });
}
