import { toJson } from '@bufbuild/protobuf';
import { CommerceSchema } from '@pulse/proto';
import { describe, expect, it } from 'vitest';

import { normalizeEvent } from '../src/index.js';
import { OPTIONS, rejection } from './helpers.js';

const order = (properties: Record<string, unknown>) => ({
  type: 'track',
  event: 'Order Completed',
  userId: 'u1',
  properties,
});

const commerceOf = (properties: Record<string, unknown>) =>
  normalizeEvent(order(properties), OPTIONS).commerce;

describe('normalizeEvent e-commerce', () => {
  it('fills commerce from an Order Completed call and keeps the other properties', () => {
    const properties = {
      order_id: '50314b8e',
      total: 27.5,
      revenue: 25,
      shipping: 3,
      tax: '2.00',
      discount: 2.5,
      currency: 'usd',
      products: [
        { product_id: '507f1f77', sku: '45790-32', name: 'Monopoly', price: '19', quantity: 1 },
        { id: 505, name: ' Uno ', category: 'Games', brand: 'Mattel', price: 3, quantity: '2' },
      ],
    };
    const event = normalizeEvent(order(properties), OPTIONS);

    expect(toJson(CommerceSchema, event.commerce!)).toEqual({
      orderId: '50314b8e',
      revenue: 25,
      currency: 'USD',
      discount: 2.5,
      shipping: 3,
      tax: 2,
      products: [
        { productId: '507f1f77', sku: '45790-32', name: 'Monopoly', price: 19, quantity: 1 },
        {
          productId: '505',
          name: 'Uno',
          category: 'Games',
          brand: 'Mattel',
          price: 3,
          quantity: 2,
        },
      ],
    });
    const { products: _lineItems, ...rest } = properties;
    expect(event.properties).toEqual(rest);
  });

  it.each([
    ['revenue when both are given', { revenue: 10, total: 12 }, 10],
    ['total when revenue is absent', { total: 12 }, 12],
    ['total when revenue is null', { revenue: null, total: 12 }, 12],
    ['a numeric string', { revenue: ' 12.50 ' }, 12.5],
    ['a negative refund', { revenue: '-4.2' }, -4.2],
    ['an exponent string', { revenue: '1e3' }, 1000],
  ])('takes revenue from %s', (_label, properties, revenue) => {
    expect(commerceOf(properties)?.revenue).toBe(revenue);
  });

  it.each([
    ['a non-numeric revenue', { revenue: 'abc' }, 'properties.revenue'],
    ['a currency-formatted revenue', { revenue: '$10' }, 'properties.revenue'],
    ['a boolean revenue', { revenue: true }, 'properties.revenue'],
    ['an overflowing revenue string', { revenue: '1e400' }, 'properties.revenue'],
    ['a non-numeric total', { total: 'x' }, 'properties.total'],
    ['a non-numeric tax', { tax: '' }, 'properties.tax'],
    ['products that is not an array', { products: 'x' }, 'properties.products'],
    ['a product that is not an object', { products: [{}, 'x'] }, 'properties.products[1]'],
    [
      'a non-numeric price',
      { products: [{}, {}, { price: 'free' }] },
      'properties.products[2].price',
    ],
    [
      'a non-numeric quantity',
      { products: [{ quantity: 'two' }] },
      'properties.products[0].quantity',
    ],
    ['an object product name', { products: [{ name: {} }] }, 'properties.products[0].name'],
    ['an object order id', { order_id: { id: 1 } }, 'properties.order_id'],
  ])('rejects %s naming its path', (_label, properties, field) => {
    expect(rejection(() => normalizeEvent(order(properties), OPTIONS)).field).toBe(field);
  });

  it('leaves commerce unset without e-commerce properties', () => {
    expect(commerceOf({ plan: 'pro' })).toBeUndefined();
  });

  it('fills commerce only for track calls', () => {
    const page = { type: 'page', anonymousId: 'a1', properties: { revenue: 'not checked' } };
    expect(normalizeEvent(page, OPTIONS).commerce).toBeUndefined();
  });
});

describe('normalizeEvent amounts', () => {
  it.each([
    ['revenue', { revenue: 1e308 }, 'properties.revenue'],
    ['a price', { products: [{ product_id: 'a', price: -2e12 }] }, 'properties.products[0].price'],
  ])('rejects %s beyond ±1e12 naming its path', (_, properties, field) => {
    expect(() =>
      normalizeEvent(
        { type: 'track', event: 'Order Completed', userId: 'u', properties },
        { source: 's', receivedAtMs: 0 },
      ),
    ).toThrow(expect.objectContaining({ field }));
  });
});
