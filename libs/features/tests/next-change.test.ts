import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  emptyStates,
  nextChangeMs,
  parseFeatureDefinitions,
  readFeatures,
} from '@pulse/features';
import { DAY, HOUR, MINUTE, at, track } from './support/make-event.js';
import { randomInt, seededRandom } from './support/random.js';

const T0 = at('2024-03-01T00:00:00Z');

const defs = parseFeatureDefinitions(`
features:
  - { id: orders_7d, kind: count, events: [Order Completed], window: 7d }
  - { id: views_1h, kind: count, events: [Product Viewed], window: 1h }
  - { id: orders_lifetime, kind: count, events: [Order Completed] }
`);

describe('nextChangeMs', () => {
  it('is the instant an order leaves its 7d window', () => {
    const states = emptyStates();
    applyEvent(states, defs, track('Order Completed', T0 + 10 * HOUR + 20 * MINUTE));

    // The 10:00-11:00 bucket counts until (11:00 + 7d).
    const exitMs = T0 + 7 * DAY + 11 * HOUR;
    expect(nextChangeMs(states, defs, T0 + 11 * HOUR)).toBe(exitMs);
    expect(readFeatures(states, defs, exitMs - 1)['orders_7d']).toBe(1);
    expect(readFeatures(states, defs, exitMs)['orders_7d']).toBe(0);
    expect(nextChangeMs(states, defs, exitMs)).toBeNull();
  });

  it('picks the earliest change over all features', () => {
    const states = emptyStates();
    applyEvent(states, defs, track('Order Completed', T0));
    applyEvent(states, defs, track('Product Viewed', T0 + 30 * MINUTE));

    // The view's minute bucket [00:30, 00:31) leaves at 01:31.
    expect(nextChangeMs(states, defs, T0 + 31 * MINUTE)).toBe(T0 + 91 * MINUTE);
    expect(nextChangeMs(states, defs, T0 + 91 * MINUTE)).toBe(T0 + 7 * DAY + HOUR);
  });

  it('reports when a future-dated event comes into reach', () => {
    const states = emptyStates();
    applyEvent(states, defs, track('Order Completed', T0 + 2 * HOUR));
    expect(nextChangeMs(states, defs, T0)).toBe(T0 + 2 * HOUR + 1);
    expect(readFeatures(states, defs, T0 + 2 * HOUR)['orders_7d']).toBe(0);
    expect(readFeatures(states, defs, T0 + 2 * HOUR + 1)['orders_7d']).toBe(1);
  });

  it('is null for lifetime features and empty profiles', () => {
    const lifetime = parseFeatureDefinitions({ features: [{ id: 'n', kind: 'count' }] });
    const states = emptyStates();
    applyEvent(states, lifetime, track('Order Completed', T0));
    expect(nextChangeMs(states, lifetime, T0)).toBeNull();
    expect(nextChangeMs(emptyStates(), defs, T0)).toBeNull();
  });

  it.each([1, 2, 3])('finds the first change a minute-by-minute scan finds (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const states = emptyStates();
    let newest = -Infinity;
    for (let i = 0; i < 40; i++) {
      const timeMs = T0 + randomInt(random, 3 * DAY);
      newest = Math.max(newest, timeMs);
      const name = random() < 0.5 ? 'Order Completed' : 'Product Viewed';
      applyEvent(states, defs, track(name, timeMs));
    }

    // Scan the whole-minute instants: every bucket edge is a whole minute.
    let afterMs = Math.ceil(newest / MINUTE) * MINUTE;
    for (let step = 0; step < 5; step++) {
      const reported = nextChangeMs(states, defs, afterMs);
      const before = JSON.stringify(readFeatures(states, defs, afterMs));
      let scanned: number | null = null;
      for (let t = afterMs + MINUTE; t <= afterMs + 11 * DAY; t += MINUTE) {
        if (JSON.stringify(readFeatures(states, defs, t)) !== before) {
          scanned = t;
          break;
        }
      }
      expect(reported).toBe(scanned);
      if (scanned === null) break;
      afterMs = scanned;
    }
  });
});
