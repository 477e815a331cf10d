import { describe, expect, it } from 'vitest';
import { EventType } from '@pulse/proto';
import {
  EventTimeMissingError,
  applyEvent,
  emptyStates,
  parseFeatureDefinitions,
  readFeatures,
} from '@pulse/features';
import type { FeatureDefinitions, FeatureStates, NumberBucketsState } from '@pulse/features';
import { DAY, HOUR, at, makeEvent, track } from './support/make-event.js';

const T0 = at('2024-03-01T00:00:00Z');

function defsOf(...features: Record<string, unknown>[]): FeatureDefinitions {
  return parseFeatureDefinitions({ features });
}

function order(timeMs: number, revenue: number, products: Record<string, unknown>[] = []) {
  return track('Order Completed', timeMs, { commerce: { revenue, products } });
}

describe('applyEvent', () => {
  it('puts a late event in its own bucket, not the newest one', () => {
    const defs = defsOf({ id: 'orders_7d', kind: 'count', window: '7d' });
    const states = emptyStates();
    applyEvent(states, defs, order(T0 + 8 * DAY, 1));
    applyEvent(states, defs, order(T0 + 2 * DAY + 5 * HOUR, 1));

    const read = (atMs: number) => readFeatures(states, defs, atMs)['orders_7d'];
    // [T0+1d, T0+8d): the late order only; the newest sits exactly at t.
    expect(read(T0 + 8 * DAY)).toBe(1);
    // [T0+2d5h, T0+9d5h): both.
    expect(read(T0 + 9 * DAY + 5 * HOUR)).toBe(2);
    // One hour on, the late order leaves by its own event time.
    expect(read(T0 + 9 * DAY + 6 * HOUR)).toBe(1);
  });

  it('ignores an event too old for any future read, and reports no change', () => {
    const defs = defsOf({ id: 'orders_7d', kind: 'count', window: '7d' });
    const states = emptyStates();
    expect(applyEvent(states, defs, order(T0 + 30 * DAY, 1))).toBe(true);
    const before = structuredClone(states);

    expect(applyEvent(states, defs, order(T0, 1))).toBe(false);
    expect(states).toEqual(before);
  });

  it('prunes buckets that fell out of the window behind the newest event', () => {
    const defs = defsOf({ id: 'orders_24h', kind: 'count', window: '24h' });
    const states = emptyStates();
    for (let i = 0; i < 1_000; i++) applyEvent(states, defs, order(T0 + i * HOUR, 1));

    const state = states['orders_24h'] as NumberBucketsState;
    // 24h in 15m buckets: 96 buckets behind the newest one can still be read.
    expect(state.buckets.length).toBeLessThanOrEqual(97);
    expect(readFeatures(states, defs, T0 + 1_000 * HOUR)['orders_24h']).toBe(24);
  });

  it('sums, mins and maxes revenue, refunds included', () => {
    const defs = defsOf(
      { id: 'spend', kind: 'sum', value: 'revenue', window: '7d' },
      { id: 'smallest', kind: 'min', value: 'revenue', window: '7d' },
      { id: 'largest', kind: 'max', value: 'revenue', window: '7d' },
    );
    const states = emptyStates();
    applyEvent(states, defs, order(T0 + HOUR, 40));
    applyEvent(
      states,
      defs,
      track('Order Refunded', T0 + 2 * HOUR, { commerce: { revenue: -15 } }),
    );
    applyEvent(states, defs, order(T0 + 3 * HOUR, 12.5));

    expect(readFeatures(states, defs, T0 + DAY)).toEqual({
      spend: 37.5,
      smallest: -15,
      largest: 40,
    });
  });

  it('iterates line items, with amount = price × quantity', () => {
    const defs = defsOf(
      { id: 'amount', kind: 'sum', each: 'products', value: 'product.amount', window: '1h' },
      { id: 'items', kind: 'count', each: 'products', window: '1h' },
      { id: 'skus', kind: 'distinct_count', each: 'products', value: 'product.sku' },
    );
    const states = emptyStates();
    const products = [
      { sku: 'a', price: 2.5, quantity: 4 },
      { sku: 'b', price: 10, quantity: 1 },
      { sku: 'a', price: 1, quantity: 3 },
      { price: 7, quantity: 0 },
    ];
    applyEvent(states, defs, order(T0, 0, products));

    expect(readFeatures(states, defs, T0 + HOUR)).toEqual({ amount: 23, items: 4, skus: 2 });
  });

  it('skips events whose value is missing or not numeric', () => {
    const defs = defsOf({ id: 'spend', kind: 'sum', value: 'properties.total', window: '1h' });
    const states = emptyStates();
    const withTotal = (total: unknown) =>
      track('Checkout', T0, { properties: total === undefined ? {} : ({ total } as never) });

    expect(applyEvent(states, defs, withTotal(undefined))).toBe(false);
    expect(applyEvent(states, defs, withTotal('lots'))).toBe(false);
    expect(applyEvent(states, defs, withTotal(null))).toBe(false);
    expect(applyEvent(states, defs, withTotal(' 12.5 '))).toBe(true);
    expect(applyEvent(states, defs, withTotal(7))).toBe(true);
    expect(readFeatures(states, defs, T0 + HOUR)['spend']).toBe(19.5);
  });

  it('counts only events with the value present when a count names one', () => {
    const defs = defsOf({ id: 'with_coupon', kind: 'count', value: 'properties.coupon' });
    const states = emptyStates();
    applyEvent(states, defs, track('Order Completed', T0, { properties: { coupon: 'X1' } }));
    applyEvent(states, defs, track('Order Completed', T0));
    expect(readFeatures(states, defs, T0)['with_coupon']).toBe(1);
  });

  it('filters by track name or by event type, and takes everything with neither', () => {
    const defs = defsOf(
      { id: 'orders', kind: 'count', events: ['Order Completed'] },
      { id: 'pages', kind: 'count', types: ['page'] },
      { id: 'orders_or_pages', kind: 'count', events: ['Order Completed'], types: ['page'] },
      { id: 'all', kind: 'count' },
    );
    const states = emptyStates();
    applyEvent(states, defs, order(T0, 1));
    applyEvent(states, defs, track('Product Viewed', T0));
    applyEvent(states, defs, makeEvent({ type: EventType.PAGE, name: 'Home', timeMs: T0 }));
    applyEvent(states, defs, makeEvent({ type: EventType.IDENTIFY, timeMs: T0 }));

    expect(readFeatures(states, defs, T0)).toEqual({
      orders: 1,
      pages: 1,
      orders_or_pages: 2,
      all: 4,
    });
  });

  it('reads properties, traits and context paths', () => {
    const defs = defsOf(
      { id: 'plans', kind: 'last_n', n: 3, value: 'traits.plan.tier' },
      { id: 'paths', kind: 'last_n', n: 3, value: 'context.page.path' },
      { id: 'campaigns', kind: 'last_n', n: 3, value: 'context.extra.utm.id' },
      { id: 'flags', kind: 'last_n', n: 3, value: 'properties.flag' },
    );
    const states = emptyStates();
    const event = makeEvent({
      timeMs: T0,
      traits: { plan: { tier: 'gold' } },
      properties: { flag: true },
      context: { page: { path: '/sale' }, extra: { utm: { id: 42 } } },
    });
    applyEvent(states, defs, event);

    const readings = readFeatures(states, defs, T0);
    expect(readings).toEqual({
      plans: ['gold'],
      paths: ['/sale'],
      campaigns: ['42'],
      flags: ['true'],
    });
  });

  it('returns false when no feature listens to the event', () => {
    const defs = defsOf({ id: 'orders', kind: 'count', events: ['Order Completed'] });
    const states = emptyStates();
    expect(applyEvent(states, defs, track('Product Viewed', T0))).toBe(false);
    expect(states).toEqual({});
  });

  it('throws EventTimeMissingError for an event without timestamp', () => {
    const defs = defsOf({ id: 'orders', kind: 'count' });
    const event = makeEvent({ timeMs: T0 });
    event.timestamp = undefined;
    expect(() => applyEvent(emptyStates(), defs, event)).toThrow(EventTimeMissingError);
  });

  it('starts over when the definition behind a state changes', () => {
    const states: FeatureStates = emptyStates();
    const daily = defsOf({ id: 'orders', kind: 'count', window: '24h' });
    applyEvent(states, daily, order(T0, 1));
    applyEvent(states, daily, order(T0 + HOUR, 1));

    const weekly = defsOf({ id: 'orders', kind: 'count', window: '7d' });
    expect(readFeatures(states, weekly, T0 + DAY)['orders']).toBe(0);
    applyEvent(states, weekly, order(T0 + 2 * HOUR, 1));
    expect(readFeatures(states, weekly, T0 + DAY)['orders']).toBe(1);
  });

  it('is safe with feature ids that name Object.prototype members', () => {
    const defs = defsOf({ id: 'constructor', kind: 'count' }, { id: 'to_string', kind: 'count' });
    const states = emptyStates();
    expect(readFeatures(states, defs, T0)).toEqual({ constructor: 0, to_string: 0 });
    applyEvent(states, defs, order(T0, 1));
    expect(readFeatures(states, defs, T0)['constructor']).toBe(1);
  });

  it('keeps state as plain data that survives structuredClone', () => {
    const defs = defsOf(
      { id: 'n', kind: 'count', window: '7d' },
      { id: 'd', kind: 'distinct_count', value: 'event', window: '7d' },
      { id: 'l', kind: 'last_n', n: 2, value: 'event' },
      { id: 'a', kind: 'affinity', key: 'event', half_life: '1d' },
      { id: 'f', kind: 'first_seen' },
    );
    const states = emptyStates();
    applyEvent(states, defs, order(T0, 5));
    const copy = structuredClone(states);
    expect(copy).toEqual(states);
    expect(readFeatures(copy, defs, T0 + HOUR)).toEqual(readFeatures(states, defs, T0 + HOUR));
    expect(JSON.stringify(states)).not.toMatch(/Map|Set/);
  });
});
