import { describe, expect, it } from 'vitest';
import { compileRule, isRuleError, PROFILE_RULE_VARIABLES } from '@pulse/rules';
import type { FieldTypes } from '@pulse/rules';

const FIELDS: FieldTypes = {
  features: new Map([
    ['orders_7d', 'number'],
    ['max_order_value_30d', 'number_or_null'],
    ['recent_products', 'strings'],
    ['category_affinity', 'scores'],
  ]),
};

function compile(expression: string) {
  return compileRule(expression, {
    name: 'audience.expression',
    kind: 'bool',
    variables: PROFILE_RULE_VARIABLES,
    fieldTypes: FIELDS,
  });
}

function refusal(expression: string): string {
  try {
    compile(expression);
  } catch (err) {
    if (isRuleError(err)) return err.message;
    throw err;
  }
  throw new Error(`expected '${expression}' to be refused`);
}

describe('type-checked rules', () => {
  it.each([
    'features.orders_7d >= 2.0',
    'features.orders_7d >= 2',
    'features.max_order_value_30d != null && features.max_order_value_30d >= 500.0',
    "'LANTERN' in features.category_affinity && features.category_affinity['LANTERN'] > 1.0",
    "'p1' in features.recent_products",
    "has(traits.country) && traits.country == 'United Kingdom'",
    "identifiers.email.exists(e, e.endsWith('@example.com'))",
    'now - features.orders_7d > days(1)',
  ])('accepts %s', (expression) => {
    expect(() => compile(expression)).not.toThrow();
  });

  it('names an unknown feature', () => {
    expect(refusal('features.order_7d >= 2.0')).toMatch(/unknown feature 'order_7d' \(at 1:9\)/);
  });

  it('names both sides of a comparison that has no overload', () => {
    expect(refusal("features.orders_7d >= 'two'")).toBe(
      "audience.expression: type clash: '>=' cannot compare features.orders_7d (double) " +
        'with string (at 1:20)',
    );
  });

  it('refuses arithmetic mixing double and int', () => {
    expect(refusal('features.orders_7d + 1 > 2.0')).toMatch(/'\+' has no overload .*write 1.0/);
  });

  it('refuses a field read on a number and a non-bool result', () => {
    expect(refusal('features.orders_7d.total > 1.0')).toMatch(/double has no field 'total'/);
    expect(refusal('features.orders_7d + 1.0')).toMatch(/yields double, not bool/);
    expect(refusal('features.orders_7d && true')).toMatch(/'&&' needs bool operands/);
  });

  it('refuses a string method on a list', () => {
    expect(refusal("features.recent_products.startsWith('a')")).toMatch(
      /'startsWith' needs a string, got features.recent_products \(list\(string\)\)/,
    );
  });
});
