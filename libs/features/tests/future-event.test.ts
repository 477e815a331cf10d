import { describe, expect, it } from 'vitest';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import { track } from './support/make-event.js';

const HOUR_MS = 3_600_000;

describe('an event stamped ahead of the clock', () => {
  const defs = parseFeatureDefinitions(`
features:
  - id: orders_7d
    kind: count
    events: [Order Completed]
    window: 7d
`);

  it('does not prune what a read at the true now still counts', () => {
    const now = Date.UTC(2024, 4, 10); // a bucket boundary
    const states = emptyStates();
    applyEvent(states, defs, track('Order Completed', now - 150 * HOUR_MS));
    applyEvent(states, defs, track('Order Completed', now - HOUR_MS / 2));
    expect(readFeatures(states, defs, now).orders_7d).toBe(2);

    // Stamped 23 h ahead, within the collector's 24 h skew limit.
    applyEvent(states, defs, track('Order Completed', now + 23 * HOUR_MS));
    // At now: the two past orders; the future one is not in [now − 7d, now).
    expect(readFeatures(states, defs, now).orders_7d).toBe(2);
    // A day later the window is [now − 144 h, now + 24 h): the order at now − 150 h
    // has left, the one at now + 23 h has entered.
    expect(readFeatures(states, defs, now + 24 * HOUR_MS).orders_7d).toBe(2);
    // At now − 12 h, within the grace: only the order at now − 150 h.
    expect(readFeatures(states, defs, now - 12 * HOUR_MS).orders_7d).toBe(1);
  });
});
