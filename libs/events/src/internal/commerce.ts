import { create } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { CommerceSchema, ProductSchema } from '@pulse/proto';
import type { Commerce, Product } from '@pulse/proto';

import { InvalidEventError } from '../errors.js';
import { AMOUNT_MAX } from '../limits.js';
import { childPath, isPlainObject } from './json-value.js';

/** Property names of the Segment e-commerce spec that fill `Commerce`. */
const COMMERCE_KEYS = [
  'order_id',
  'revenue',
  'total',
  'currency',
  'discount',
  'shipping',
  'tax',
  'products',
] as const;

const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Fills `Commerce` from track `properties` when any e-commerce key is present,
 * else returns undefined. Amounts accept numbers and numeric strings; absent
 * ones stay 0; anything else is rejected naming its path under `properties`.
 */
export function readCommerce(properties: JsonObject | undefined): Commerce | undefined {
  if (!properties || !COMMERCE_KEYS.some((key) => properties[key] != null)) {
    return undefined;
  }
  const at = (key: string) => childPath('properties', key);

  const revenueKey = properties.revenue != null ? 'revenue' : 'total';
  return create(CommerceSchema, {
    orderId: readText(properties.order_id, at('order_id')),
    revenue: readAmount(properties[revenueKey], at(revenueKey)),
    currency: readText(properties.currency, at('currency')).toUpperCase(),
    discount: readAmount(properties.discount, at('discount')),
    shipping: readAmount(properties.shipping, at('shipping')),
    tax: readAmount(properties.tax, at('tax')),
    products: readProducts(properties.products, at('products')),
  });
}

function readProducts(value: unknown, path: string): Product[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new InvalidEventError(path, 'must be an array', value);
  }
  return value.map((item, index) => readProduct(item, childPath(path, index)));
}

function readProduct(value: unknown, path: string): Product {
  if (!isPlainObject(value)) {
    throw new InvalidEventError(path, 'must be a JSON object', value);
  }
  const at = (key: string) => childPath(path, key);

  const idKey = value.product_id != null ? 'product_id' : 'id';
  return create(ProductSchema, {
    productId: readText(value[idKey], at(idKey)),
    sku: readText(value.sku, at('sku')),
    name: readText(value.name, at('name')),
    category: readText(value.category, at('category')),
    brand: readText(value.brand, at('brand')),
    price: readAmount(value.price, at('price')),
    quantity: readAmount(value.quantity, at('quantity')),
    coupon: readText(value.coupon, at('coupon')),
  });
}

/** A finite number from a number or a numeric string; absent gives 0. */

function readAmount(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  const numeric = typeof value === 'string' && NUMERIC_TEXT.test(value.trim());
  const amount = numeric ? Number(value) : value;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    const reason = 'must be a finite number or a numeric string';
    throw new InvalidEventError(path, reason, value);
  }
  if (Math.abs(amount) > AMOUNT_MAX) {
    throw new InvalidEventError(path, `must be within ±${AMOUNT_MAX.toExponential()}`, value);
  }
  return amount;
}

/** A trimmed string from a string or a number (ids are often numbers); absent is ''. */
function readText(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') {
    throw new InvalidEventError(path, 'must be a string', value);
  }
  return value.trim();
}
