import { describe, expect, it } from 'vitest';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import type { HashBucketsState } from '@pulse/features';
import { DAY, HOUR, at, track } from '../support/make-event.js';

const T0 = at('2024-03-01T00:00:00Z');

const defs = parseFeatureDefinitions(`
features:
  - { id: products_7d, kind: distinct_count, each: products, value: product.product_id, window: 7d }
`);

const view = (timeMs: number, ...ids: string[]) =>
  track('Product Viewed', timeMs, {
    commerce: { products: ids.map((productId) => ({ productId })) },
  });

describe('distinct_count', () => {
  it('counts a value once across buckets, and drops it when its last bucket leaves', () => {
    const states = emptyStates();
    applyEvent(states, defs, view(T0, 'a', 'b'));
    applyEvent(states, defs, view(T0 + 2 * DAY, 'b', 'c'));
    expect(applyEvent(states, defs, view(T0 + 2 * DAY, 'c'))).toBe(false);

    const read = (atMs: number) => readFeatures(states, defs, atMs)['products_7d'];
    expect(read(T0 + 3 * DAY)).toBe(3);
    // [T0+1h, T0+7d1h): a is gone, b stays through its later bucket.
    expect(read(T0 + 7 * DAY + HOUR)).toBe(2);
    expect(read(T0 + 9 * DAY + HOUR)).toBe(0);
  });

  it('stores each bucket as a sorted run of unique 32-bit hashes', () => {
    const states = emptyStates();
    applyEvent(states, defs, view(T0 + HOUR, 'z', 'a', 'm', 'a'));
    applyEvent(states, defs, view(T0, 'q', 'a'));
    const state = states['products_7d'] as HashBucketsState;

    expect(state.sizes).toEqual([2, 3]);
    const runs = [state.hashes.slice(0, 2), state.hashes.slice(2)];
    for (const run of runs) expect([...run].sort((x, y) => x - y)).toEqual(run);
    expect(state.hashes.every((h) => Number.isInteger(h) && h >= 0 && h < 2 ** 32)).toBe(true);
  });
});
