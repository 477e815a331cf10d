import { describe, expect, it } from 'vitest';
import { applyEvent, emptyStates, parseFeatureDefinitions, readFeatures } from '@pulse/features';
import type { Event } from '@pulse/proto';
import { makeEvent } from './support/make-event.js';

/** Reads `path` from `event` through a one-value last_n feature. */
function readPath(path: string, event: Event, each = false): string[] {
  const feature = {
    id: 'v',
    kind: 'last_n',
    n: 10,
    value: path,
    ...(each ? { each: 'products' } : {}),
  };
  const defs = parseFeatureDefinitions({ features: [feature] });
  const states = emptyStates();
  applyEvent(states, defs, event);
  return readFeatures(states, defs, Date.now() + 1)['v'] as string[];
}

const event = makeEvent({
  timeMs: 1_000,
  event: 'Order Completed',
  properties: { cart: { size: 3, empty: null }, tags: ['a'] },
  traits: { plan: 'gold' },
  context: { locale: 'en-GB', userAgent: 'ua', campaign: { source: 'mail' }, extra: { ab: 'B' } },
  commerce: {
    orderId: 'o-1',
    revenue: 0,
    currency: 'EUR',
    products: [
      { productId: 'p1', sku: 's1', category: 'shoes', brand: 'acme', price: 2.5, quantity: 2 },
    ],
  },
});

describe('field paths', () => {
  it.each([
    ['event', ['Order Completed']],
    ['order_id', ['o-1']],
    ['currency', ['EUR']],
    ['revenue', ['0']],
    ['name', []],
    ['properties.cart.size', ['3']],
    ['properties.cart.empty', []],
    ['properties.cart.missing.deeper', []],
    ['properties.tags', []],
    ['traits.plan', ['gold']],
    ['context.locale', ['en-GB']],
    ['context.user_agent', ['ua']],
    ['context.campaign.source', ['mail']],
    ['context.page.path', []],
    ['context.extra.ab', ['B']],
  ])('reads %s at event level', (path, expected) => {
    expect(readPath(path, event)).toEqual(expected);
  });

  it.each([
    ['product.product_id', ['p1']],
    ['product.sku', ['s1']],
    ['product.name', []],
    ['product.category', ['shoes']],
    ['product.brand', ['acme']],
    ['product.price', ['2.5']],
    ['product.quantity', ['2']],
    ['product.amount', ['5']],
    ['order_id', ['o-1']],
  ])('reads %s per line item', (path, expected) => {
    expect(readPath(path, event, true)).toEqual(expected);
  });

  it('treats a missing commerce block as missing revenue', () => {
    expect(readPath('revenue', makeEvent({ timeMs: 1_000 }))).toEqual([]);
  });
});
