import { describe, expect, it } from 'vitest';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import type { AffinityState } from '@pulse/features';
import { DAY, at, track } from '../support/make-event.js';
import { randomInt, seededRandom, shuffled } from '../support/random.js';

const T0 = at('2024-03-01T00:00:00Z');

function affinityDefs(maxKeys = 32) {
  return parseFeatureDefinitions({
    features: [
      {
        id: 'affinity',
        kind: 'affinity',
        key: 'properties.category',
        weight: 'properties.weight',
        half_life: '7d',
        max_keys: maxKeys,
      },
    ],
  });
}

const view = (category: string, weight: number, timeMs: number) =>
  track('Product Viewed', timeMs, { properties: { category, weight } });

describe('affinity', () => {
  it('halves a score every half-life of event time', () => {
    const defs = affinityDefs();
    const states = emptyStates();
    applyEvent(states, defs, view('shoes', 8, T0));
    applyEvent(states, defs, view('shoes', 4, T0 + 7 * DAY));

    const read = (atMs: number) => readFeatures(states, defs, atMs)['affinity'];
    // 8 · ½ + 4 at the second event; halved again a week later.
    expect(read(T0 + 7 * DAY)).toEqual({ shoes: 8 });
    expect(read(T0 + 14 * DAY)).toEqual({ shoes: 4 });
  });

  it('gives the same score when the older event arrives last', () => {
    const defs = affinityDefs();
    const states = emptyStates();
    applyEvent(states, defs, view('shoes', 4, T0 + 7 * DAY));
    applyEvent(states, defs, view('shoes', 8, T0));

    expect(readFeatures(states, defs, T0 + 14 * DAY)['affinity']).toEqual({ shoes: 4 });
    expect((states['affinity'] as AffinityState).refTimesMs).toEqual([T0 + 7 * DAY]);
  });

  it('lists keys by descending score and leaves out faded ones', () => {
    const defs = affinityDefs();
    const states = emptyStates();
    applyEvent(states, defs, view('hats', 1, T0 - 280 * DAY));
    applyEvent(states, defs, view('bags', 1, T0));
    applyEvent(states, defs, view('shoes', 3, T0));

    const reading = readFeatures(states, defs, T0)['affinity'] as Record<string, number>;
    // hats: 2^-40 ≈ 9e-13, below the 1e-9 floor.
    expect(Object.keys(reading)).toEqual(['shoes', 'bags']);
  });

  it('keeps at most max_keys, dropping the lowest score at the newest reference time', () => {
    const defs = affinityDefs(2);
    const states = emptyStates();
    applyEvent(states, defs, view('a', 1, T0));
    applyEvent(states, defs, view('b', 5, T0));
    // At T0+7d: a = 0.5, b = 2.5, c = 3, so a goes.
    expect(applyEvent(states, defs, view('c', 3, T0 + 7 * DAY))).toBe(true);
    expect(readFeatures(states, defs, T0 + 7 * DAY)['affinity']).toEqual({ c: 3, b: 2.5 });

    // A new key weaker than both is dropped at once: nothing changes.
    expect(applyEvent(states, defs, view('d', 0.1, T0 + 7 * DAY))).toBe(false);
  });

  it('does not depend on arrival order (shuffled input)', () => {
    const random = seededRandom(7);
    const events = Array.from({ length: 300 }, () =>
      view(`k${randomInt(random, 6)}`, 1 + randomInt(random, 9), T0 + randomInt(random, 60 * DAY)),
    );
    const readAfter = (order: typeof events) => {
      const states = emptyStates();
      for (const event of order) applyEvent(states, affinityDefs(), event);
      return readFeatures(states, affinityDefs(), T0 + 61 * DAY)['affinity'] as Record<
        string,
        number
      >;
    };

    const expected = readAfter(events);
    const actual = readAfter(shuffled(random, events));
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(expected)) expect(actual[key]).toBeCloseTo(expected[key]!, 9);
  });

  it('ignores zero weights and missing keys', () => {
    const defs = affinityDefs();
    const states = emptyStates();
    expect(applyEvent(states, defs, view('shoes', 0, T0))).toBe(false);
    expect(
      applyEvent(states, defs, track('Product Viewed', T0, { properties: { weight: 2 } })),
    ).toBe(false);
    expect(readFeatures(states, defs, T0)['affinity']).toEqual({});
  });

  it('reports a key named __proto__ like any other', () => {
    const defs = affinityDefs();
    const states = emptyStates();
    applyEvent(states, defs, view('__proto__', 2, T0));
    const reading = readFeatures(states, defs, T0)['affinity'] as Record<string, number>;
    expect(Object.keys(reading)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(reading)).toBe(Object.prototype);
  });
});
