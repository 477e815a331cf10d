import { describe, expect, it } from 'vitest';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import { DAY, at, track } from '../support/make-event.js';

const T0 = at('2024-03-01T00:00:00Z');

const defs = parseFeatureDefinitions(`
features:
  - { id: first_order, kind: first_seen, events: [Order Completed] }
  - { id: last_order, kind: last_seen, events: [Order Completed] }
`);

describe('first_seen and last_seen', () => {
  it('track the earliest and latest event time, in any arrival order', () => {
    const states = emptyStates();
    expect(applyEvent(states, defs, track('Order Completed', T0 + 5 * DAY))).toBe(true);
    expect(applyEvent(states, defs, track('Order Completed', T0 - 400 * DAY))).toBe(true);
    expect(applyEvent(states, defs, track('Order Completed', T0 + 9 * DAY))).toBe(true);
    expect(applyEvent(states, defs, track('Order Completed', T0 + 6 * DAY))).toBe(false);

    const readings = readFeatures(states, defs, T0 + 10 * DAY);
    expect(readings).toEqual({ first_order: T0 - 400 * DAY, last_order: T0 + 9 * DAY });
  });

  it('are null before any matching event', () => {
    const states = emptyStates();
    applyEvent(states, defs, track('Product Viewed', T0));
    expect(readFeatures(states, defs, T0)).toEqual({ first_order: null, last_order: null });
  });
});
