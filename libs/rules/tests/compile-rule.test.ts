import { describe, expect, it } from 'vitest';
import {
  compileRule,
  createActivation,
  isRuleError,
  MAX_EXPRESSION_LENGTH,
  PROFILE_RULE_VARIABLES,
  RuleError,
} from '@pulse/rules';
import type { CompileRuleOptions } from '@pulse/rules';
import { makeView } from './fixtures.js';

const FIELD = 'audiences[2].expression';

function compileError(expression: string, options: Partial<CompileRuleOptions> = {}): RuleError {
  try {
    compileRule(expression, { name: FIELD, kind: 'bool', ...options });
  } catch (err) {
    if (isRuleError(err)) return err;
    throw err;
  }
  throw new Error(`expected '${expression}' not to compile`);
}

describe('compileRule', () => {
  it.each([
    ['syntax error', 'features.orders_7d >= ', {}, 'syntax error', { line: 1, column: 20 }],
    ['empty expression', '  ', {}, 'must not be empty', undefined],
    [
      'unknown variable',
      'orders_7d >= 2.0',
      {},
      "unknown variable 'orders_7d'",
      { line: 1, column: 1 },
    ],
    [
      'unknown function',
      'features.spend_30d > week(2)',
      {},
      "unknown function 'week'",
      { line: 1, column: 22 },
    ],
    ['unknown method', "traits.country.upper() == 'UK'", {}, "unknown function 'upper'", undefined],
    ['field of a scalar', 'now.seconds > 0', {}, "'now' is a scalar", { line: 1, column: 4 }],
    ['bool rule yielding a string', "'gold'", {}, 'cannot yield string', { line: 1, column: 1 }],
    [
      'bool rule yielding a number',
      'features.orders_7d + 1.0 > 2.0 ? 1.0 : 0.0',
      {},
      'cannot yield double',
      undefined,
    ],
    ['bool rule yielding a sum', 'features.orders_7d + 1.0', {}, 'cannot yield double', undefined],
    [
      'double rule yielding a bool',
      'features.orders_7d > 1.0',
      { kind: 'double' as const },
      'cannot yield bool',
      undefined,
    ],
    [
      'request in an audience rule',
      "request.page == 'home'",
      { variables: PROFILE_RULE_VARIABLES },
      "unknown variable 'request'",
      undefined,
    ],
    [
      'unknown feature',
      'features.order_7d >= 2.0',
      { featureNames: ['orders_7d'] },
      "unknown feature 'order_7d'",
      { line: 1, column: 9 },
    ],
    [
      'unknown feature by index',
      "features['order_7d'] >= 2.0",
      { featureNames: ['orders_7d'] },
      "unknown feature 'order_7d'",
      undefined,
    ],
    [
      'multi-line position',
      'features.orders_7d >= 2.0 &&\n  nope',
      {},
      "unknown variable 'nope'",
      { line: 2, column: 3 },
    ],
  ])('rejects %s', (_case, expression, options, reason, position) => {
    const err = compileError(expression, options);

    expect(err).toBeInstanceOf(RuleError);
    expect(err.field).toBe(FIELD);
    expect(err.expression).toBe(expression);
    expect(err.reason).toContain(reason);
    if (position !== undefined) expect(err.position).toEqual(position);
  });

  it('rejects an expression longer than the limit', () => {
    const expression = `${'1.0 + '.repeat(MAX_EXPRESSION_LENGTH / 6)}1.0 > 0.0`;

    expect(compileError(expression).reason).toContain('longer than');
  });

  it.each([
    ['a comprehension variable', "features.recent_products.exists(p, p.contains('LANTERN'))"],
    ['a type name', 'type(traits.country) == string'],
    ['a local shadowing a scalar variable', '[1.0].exists(now, now > 0.0)'],
    ['a known feature', 'features.orders_7d >= 2.0'],
    ['duration helpers', 'days(1) + hours(2.5) + minutes(1) > 0.0'],
    ['a has() guard', "has(traits.plan) && traits.plan == 'gold'"],
  ])('accepts %s', (_case, expression) => {
    const rule = compileRule(expression, {
      name: FIELD,
      kind: 'bool',
      featureNames: ['orders_7d', 'recent_products'],
    });

    expect(rule.eval(createActivation(makeView())).ok).toBe(true);
  });

  it('keeps the name, kind and source', () => {
    const rule = compileRule('1.5', { name: 'offers[0].boost', kind: 'double' });

    expect(rule).toMatchObject({ name: 'offers[0].boost', kind: 'double', source: '1.5' });
  });
});
