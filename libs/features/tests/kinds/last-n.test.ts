import { describe, expect, it } from 'vitest';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import { HOUR, at, track } from '../support/make-event.js';

const T0 = at('2024-03-01T00:00:00Z');

const defs = parseFeatureDefinitions(`
features:
  - { id: recent, kind: last_n, n: 3, each: products, value: product.product_id }
`);

const order = (timeMs: number, ...ids: string[]) =>
  track('Order Completed', timeMs, {
    commerce: { products: ids.map((productId) => ({ productId })) },
  });

describe('last_n', () => {
  it('keeps the n newest values by event time, newest first', () => {
    const states = emptyStates();
    applyEvent(states, defs, order(T0 + 3 * HOUR, 'c'));
    applyEvent(states, defs, order(T0 + 1 * HOUR, 'a'));
    applyEvent(states, defs, order(T0 + 4 * HOUR, 'd'));
    // Older than the three kept: changes nothing.
    expect(applyEvent(states, defs, order(T0, 'z'))).toBe(false);
    applyEvent(states, defs, order(T0 + 2 * HOUR, 'b'));

    expect(readFeatures(states, defs, T0 + 5 * HOUR)['recent']).toEqual(['d', 'c', 'b']);
  });

  it('only reports values with event time at or before the read instant', () => {
    const states = emptyStates();
    applyEvent(states, defs, order(T0 + HOUR, 'a'));
    applyEvent(states, defs, order(T0 + 2 * HOUR, 'b'));

    expect(readFeatures(states, defs, T0 + HOUR)['recent']).toEqual(['a']);
    expect(readFeatures(states, defs, T0 + HOUR - 1)['recent']).toEqual([]);
  });

  it('orders values of the same instant by descending value, whatever the arrival', () => {
    const first = emptyStates();
    applyEvent(first, defs, order(T0, 'x', 'z', 'y', 'w'));
    const second = emptyStates();
    applyEvent(second, defs, order(T0, 'w', 'y'));
    applyEvent(second, defs, order(T0, 'z', 'x'));

    expect(readFeatures(first, defs, T0)['recent']).toEqual(['z', 'y', 'x']);
    expect(second).toEqual(first);
  });

  it('keeps repeated values as separate entries', () => {
    const states = emptyStates();
    applyEvent(states, defs, order(T0, 'a'));
    applyEvent(states, defs, order(T0 + HOUR, 'a'));
    expect(readFeatures(states, defs, T0 + HOUR)['recent']).toEqual(['a', 'a']);
  });
});
