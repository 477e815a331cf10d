import { describe, expect, it } from 'vitest';
import { parseAudienceDefinitions } from '@pulse/audiences';
import { DefinitionError, RuleError } from '@pulse/rules';
import { RETAIL_YAML } from './fixtures.js';

const ok = { id: 'repeat', name: 'Repeat buyers', expression: 'features.orders_7d >= 2.0' };

function parseError(source: unknown, featureNames?: string[]): Error {
  try {
    parseAudienceDefinitions(source, { featureNames });
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the definitions to be rejected');
}

describe('parseAudienceDefinitions', () => {
  it.each([
    ['no audiences list', {}, DefinitionError, 'audiences'],
    ['a bad id', { audiences: [ok, { ...ok, id: 'Repeat' }] }, DefinitionError, 'audiences[1].id'],
    [
      'an id with a space',
      { audiences: [{ ...ok, id: 'repeat buyers' }] },
      DefinitionError,
      'audiences[0].id',
    ],
    ['a duplicate id', { audiences: [ok, ok] }, DefinitionError, 'audiences[1].id'],
    ['an empty name', { audiences: [{ ...ok, name: ' ' }] }, DefinitionError, 'audiences[0].name'],
    [
      'a missing expression',
      { audiences: [{ id: 'a', name: 'A' }] },
      DefinitionError,
      'audiences[0].expression',
    ],
    [
      'a zero version',
      { audiences: [{ ...ok, version: 0 }] },
      DefinitionError,
      'audiences[0].version',
    ],
    [
      'an unknown field',
      { audiences: [{ ...ok, expresion: 'x' }] },
      DefinitionError,
      'audiences[0].expresion',
    ],
    [
      'a syntax error',
      {
        audiences: [
          ok,
          { ...ok, id: 'b' },
          { ...ok, id: 'c', expression: 'features.orders_7d >=' },
        ],
      },
      RuleError,
      'audiences[2].expression',
    ],
    [
      'an unknown variable',
      { audiences: [{ ...ok, expression: 'orders_7d > 1.0' }] },
      RuleError,
      'audiences[0].expression',
    ],
    [
      'a decision variable',
      { audiences: [{ ...ok, expression: "placement == 'cart'" }] },
      RuleError,
      'audiences[0].expression',
    ],
    [
      'a non-bool rule',
      { audiences: [{ ...ok, expression: "traits.country + '!'" }] },
      RuleError,
      'audiences[0].expression',
    ],
    ['broken YAML', 'audiences:\n  - id: [', DefinitionError, ''],
  ])('rejects %s', (_case, source, errorClass, field) => {
    const err = parseError(source);

    expect(err).toBeInstanceOf(errorClass);
    if (field !== '') expect((err as DefinitionError).field).toBe(field);
  });

  it('rejects an unknown feature when feature names are given', () => {
    const err = parseError({ audiences: [{ ...ok, expression: 'features.order_7d >= 2.0' }] }, [
      'orders_7d',
    ]);

    expect(err).toBeInstanceOf(RuleError);
    expect((err as RuleError).reason).toContain("unknown feature 'order_7d'");
  });

  it('applies defaults and keeps the definition', () => {
    const set = parseAudienceDefinitions({ audiences: [{ ...ok, description: 'Two or more' }] });

    expect(set.get('repeat')).toMatchObject({
      id: 'repeat',
      name: 'Repeat buyers',
      description: 'Two or more',
      expression: 'features.orders_7d >= 2.0',
      version: 1,
    });
  });

  it('parses the retail example with its feature names', () => {
    const features = [
      'orders_7d',
      'orders_30d',
      'orders_lifetime',
      'spend_7d',
      'spend_30d',
      'spend_lifetime',
      'refunds_30d',
      'distinct_products_30d',
      'max_order_value_30d',
      'recent_products',
      'category_affinity',
      'first_seen',
      'last_seen',
    ];

    const set = parseAudienceDefinitions(RETAIL_YAML, { featureNames: features });

    expect(set.ids).toEqual([
      'big_spenders_30d',
      'frequent_refunders',
      'high_value_order',
      'international',
      'lantern_lovers',
      'lapsed',
      'new_customers',
      'repeat_buyers_7d',
      'uk',
      'wide_baskets',
    ]);
  });
});
