import { describe, expect, it } from 'vitest';
import { parseFeatureDefinitions } from '@pulse/features';
import { EventType } from '@pulse/proto';
import { listenersOf, listensTo } from '../src/listeners.js';
import { makeEvent } from './support/make-event.js';

const DEFS = parseFeatureDefinitions({
  features: [
    { id: 'orders', kind: 'count', events: ['Order Completed'] },
    { id: 'all_events', kind: 'count' },
    { id: 'views', kind: 'count', events: ['Product Viewed', 'Order Completed'] },
    { id: 'identifies', kind: 'count', types: ['identify'] },
    { id: 'refunds', kind: 'count', events: ['Order Refunded'], window: '30d' },
    { id: 'last_seen', kind: 'last_seen' },
  ],
});

const NAMES = ['Order Completed', 'Product Viewed', 'Order Refunded', 'Other', ''];
const TYPES = [EventType.TRACK, EventType.IDENTIFY, EventType.PAGE];

describe('listenersOf', () => {
  it('gives what filtering by listensTo gives, first and cached', () => {
    for (let round = 0; round < 2; round += 1) {
      for (const type of TYPES) {
        for (const event of NAMES) {
          const e = makeEvent({ type, event, timeMs: 1_000 });
          const ids = listenersOf(DEFS, e).map((d) => d.id);
          expect(ids, `${type} ${event}`).toEqual(
            DEFS.features.filter((d) => listensTo(d, e)).map((d) => d.id),
          );
        }
      }
    }
  });

  it('matches past the names it remembers, and per definitions object', () => {
    const other = parseFeatureDefinitions({
      features: [{ id: 'orders', kind: 'count', events: ['Order Completed'] }],
    });
    for (let i = 0; i < 1_100; i += 1) listenersOf(DEFS, makeEvent({ event: `e${i}`, timeMs: 1 }));
    const order = makeEvent({ event: 'Order Completed', timeMs: 1 });
    expect(listenersOf(DEFS, order).map((d) => d.id)).toEqual([
      'orders',
      'all_events',
      'views',
      'last_seen',
    ]);
    expect(listenersOf(other, order).map((d) => d.id)).toEqual(['orders']);
    const late = makeEvent({ event: 'e1099', timeMs: 1 });
    expect(listenersOf(DEFS, late).map((d) => d.id)).toEqual(['all_events', 'last_seen']);
  });
});
