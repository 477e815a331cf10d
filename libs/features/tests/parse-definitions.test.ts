import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DefinitionError, isDefinitionError, parseFeatureDefinitions } from '@pulse/features';
import { DAY, HOUR, MINUTE } from './support/make-event.js';

const EXAMPLE = `
features:
  - id: orders_7d
    kind: count
    events: [Order Completed]
    window: 7d
  - id: spend_7d
    kind: sum
    events: [Order Completed, Order Refunded]
    value: revenue
    window: 7d
  - id: distinct_products_30d
    kind: distinct_count
    each: products
    value: product.product_id
    window: 30d
  - id: recent_products
    kind: last_n
    n: 5
    each: products
    value: product.product_id
  - id: category_affinity
    kind: affinity
    each: products
    key: product.category
    weight: product.amount
    half_life: 7d
    max_keys: 32
`;

function errorOf(source: unknown): DefinitionError {
  try {
    parseFeatureDefinitions(source);
  } catch (err) {
    if (isDefinitionError(err)) return err;
    throw err;
  }
  throw new Error('expected a DefinitionError');
}

/** A document with one feature: `{ id: 'f', kind: 'count', ...fields }`. */
const one = (fields: Record<string, unknown>) => ({ features: [{ id: 'f', ...fields }] });

describe('parseFeatureDefinitions', () => {
  it('compiles the documented example with windows and default buckets', () => {
    const defs = parseFeatureDefinitions(EXAMPLE);
    const summary = defs.features.map((d) => [d.id, d.kind, d.windowMs, d.bucketMs]);
    expect(summary).toEqual([
      ['orders_7d', 'count', 7 * DAY, HOUR],
      ['spend_7d', 'sum', 7 * DAY, HOUR],
      ['distinct_products_30d', 'distinct_count', 30 * DAY, 6 * HOUR],
      ['recent_products', 'last_n', null, null],
      ['category_affinity', 'affinity', null, null],
    ]);
    expect(defs.byId.get('category_affinity')).toMatchObject({ halfLifeMs: 7 * DAY, maxKeys: 32 });
    expect(defs.byId.get('recent_products')).toMatchObject({ n: 5, each: true });
  });

  it('accepts the example in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const ids = parseFeatureDefinitions(example).features.map((d) => d.id);
    expect(ids).toEqual(['orders_7d', 'spend_7d', 'recent_products', 'category_affinity']);
  });

  it('accepts a plain object as well as YAML text, with the same result', () => {
    const fromObject = parseFeatureDefinitions({
      features: [{ id: 'orders_7d', kind: 'count', events: ['Order Completed'], window: '7d' }],
    });
    const fromYaml = parseFeatureDefinitions(EXAMPLE);
    expect(fromObject.features[0]?.fingerprint).toBe(fromYaml.features[0]?.fingerprint);
  });

  it('returns frozen definitions', () => {
    const defs = parseFeatureDefinitions(EXAMPLE);
    expect(Object.isFrozen(defs)).toBe(true);
    expect(Object.isFrozen(defs.features)).toBe(true);
    expect(Object.isFrozen(defs.features[0])).toBe(true);
  });

  it.each([
    ['1h', MINUTE],
    ['90m', MINUTE],
    ['3h', MINUTE],
    ['4h', 5 * MINUTE],
    ['24h', 15 * MINUTE],
    ['2d', 30 * MINUTE * 2],
    ['7d', HOUR],
    ['8d', 6 * HOUR],
    ['30d', 6 * HOUR],
    ['45d', 6 * HOUR],
    ['46d', DAY],
    ['90d', DAY],
  ])('picks the default bucket for a %s window', (window, bucketMs) => {
    const defs = parseFeatureDefinitions(one({ kind: 'count', window }));
    expect(defs.features[0]?.bucketMs).toBe(bucketMs);
  });

  it('lets `bucket` override the default', () => {
    const defs = parseFeatureDefinitions(
      one({ kind: 'sum', value: 'revenue', window: '7d', bucket: '1d' }),
    );
    expect(defs.features[0]).toMatchObject({ windowMs: 7 * DAY, bucketMs: DAY });
  });

  it('treats a missing window and `lifetime` alike', () => {
    const a = parseFeatureDefinitions(one({ kind: 'count' })).features[0];
    const b = parseFeatureDefinitions(one({ kind: 'count', window: 'lifetime' })).features[0];
    expect(a).toMatchObject({ windowMs: null, bucketMs: null });
    expect(a?.fingerprint).toBe(b?.fingerprint);
  });

  it('changes the fingerprint when the meaning changes, not when n does', () => {
    const fingerprint = (fields: Record<string, unknown>) =>
      parseFeatureDefinitions(one(fields)).features[0]?.fingerprint;
    const lastN = { kind: 'last_n', value: 'order_id' };
    expect(fingerprint({ ...lastN, n: 3 })).toBe(fingerprint({ ...lastN, n: 9 }));
    expect(fingerprint({ ...lastN, n: 3 })).not.toBe(
      fingerprint({ ...lastN, n: 3, value: 'name' }),
    );
    expect(fingerprint({ kind: 'count', window: '7d' })).not.toBe(
      fingerprint({ kind: 'count', window: '7d', bucket: '1d' }),
    );
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['a window without a unit', one({ kind: 'count', window: '7' }), 'features[0].window', 'f'],
    ['a window under 1m', one({ kind: 'count', window: '30s' }), 'features[0].window', 'f'],
    ['a window over 90d', one({ kind: 'count', window: '91d' }), 'features[0].window', 'f'],
    ['a numeric window', one({ kind: 'count', window: 7 }), 'features[0].window', 'f'],
    [
      'a bucket larger than the window',
      one({ kind: 'count', window: '1h', bucket: '2h' }),
      'features[0].bucket',
      'f',
    ],
    [
      'a bucket on a lifetime feature',
      one({ kind: 'count', bucket: '1h' }),
      'features[0].bucket',
      'f',
    ],
    [
      'too many buckets',
      one({ kind: 'count', window: '90d', bucket: '1s' }),
      'features[0].bucket',
      'f',
    ],
    ['an unknown kind', one({ kind: 'median' }), 'features[0].kind', 'f'],
    ['a bad id', { features: [{ id: 'Orders', kind: 'count' }] }, 'features[0].id', 'Orders'],
    ['a missing id', { features: [{ kind: 'count' }] }, 'features[0].id', undefined],
    ['a sum without value', one({ kind: 'sum' }), 'features[0].value', 'f'],
    ['last_n without n', one({ kind: 'last_n', value: 'name' }), 'features[0].n', 'f'],
    ['last_n with n = 0', one({ kind: 'last_n', n: 0, value: 'name' }), 'features[0].n', 'f'],
    [
      'a window on last_n',
      one({ kind: 'last_n', n: 2, value: 'name', window: '7d' }),
      'features[0].window',
      'f',
    ],
    ['a value on first_seen', one({ kind: 'first_seen', value: 'name' }), 'features[0].value', 'f'],
    [
      'affinity without half_life',
      one({ kind: 'affinity', key: 'name' }),
      'features[0].half_life',
      'f',
    ],
    ['an unknown field path', one({ kind: 'sum', value: 'price' }), 'features[0].value', 'f'],
    [
      'a product path without each',
      one({ kind: 'sum', value: 'product.price' }),
      'features[0].value',
      'f',
    ],
    [
      'an unknown product field',
      one({ kind: 'sum', each: 'products', value: 'product.colour' }),
      'features[0].value',
      'f',
    ],
    [
      'an unknown context field',
      one({ kind: 'last_n', n: 1, value: 'context.foo' }),
      'features[0].value',
      'f',
    ],
    ['each over something else', one({ kind: 'count', each: 'items' }), 'features[0].each', 'f'],
    [
      'an unknown event type',
      one({ kind: 'count', types: ['click'] }),
      'features[0].types[0]',
      'f',
    ],
    ['an empty events list', one({ kind: 'count', events: [] }), 'features[0].events', 'f'],
    ['a misspelt field', one({ kind: 'count', windw: '7d' }), 'features[0].windw', 'f'],
    ['no features list', { feature: [] }, 'features', undefined],
    ['a list instead of an object', [], '', undefined],
  ])('rejects %s', (_case, source, field, featureId) => {
    const err = errorOf(source);
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.field).toBe(field);
    expect(err.featureId).toBe(featureId);
    expect(err.message.startsWith(field === '' ? 'definitions:' : `${field}:`)).toBe(true);
  });

  it('names the index and id of the offending feature', () => {
    const source = `
features:
  - { id: a, kind: count }
  - { id: b, kind: count }
  - { id: c, kind: count }
  - { id: orders_7d, kind: count, window: 7 days }
`;
    const err = errorOf(source);
    expect(err.field).toBe('features[3].window');
    expect(err.featureId).toBe('orders_7d');
    expect(err.message).toContain('expected a duration like 7d');
  });

  it('says when a required field is missing', () => {
    const err = errorOf(one({ kind: 'sum' }));
    expect(err.message).toMatch(/^features\[0\]\.value: required/);
  });

  it('rejects duplicate ids at the second one', () => {
    const err = errorOf({
      features: [
        { id: 'x', kind: 'count' },
        { id: 'x', kind: 'sum', value: 'revenue' },
      ],
    });
    expect(err.field).toBe('features[1].id');
    expect(err.featureId).toBe('x');
  });

  it('wraps YAML syntax errors, keeping the cause', () => {
    const err = errorOf('features: [ { id: a');
    expect(err.field).toBe('');
    expect(err.cause).toBeInstanceOf(Error);
  });
});
