import { describe, expect, it } from 'vitest';
import { compileRule, createActivation, RuleEvaluationError } from '@pulse/rules';
import type { FeatureReading, RuleResult } from '@pulse/rules';
import { DAY_MS, makeView, NOW_MS } from './fixtures.js';

function evalBool(expression: string, features: Record<string, FeatureReading> = {}) {
  const view = makeView();
  const rule = compileRule(expression, { name: 'rule', kind: 'bool' });
  return rule.eval(createActivation({ ...view, features: { ...view.features, ...features } }));
}

function evalDouble(expression: string): RuleResult<number> {
  const rule = compileRule(expression, { name: 'rule', kind: 'double' });
  return rule.eval(createActivation(makeView()));
}

describe('numbers', () => {
  // orders_7d is 2 in the fixture; features arrive as doubles.
  it.each([
    ['features.orders_7d >= 2', true],
    ['features.orders_7d >= 2.0', true],
    ['features.orders_7d == 2', true],
    ['features.orders_7d > 2', false],
    ['features.orders_7d in [1, 2, 3]', true],
    ['features.orders_7d + 1.0 == 3.0', true],
    ['features.spend_30d / features.orders_30d > 416.0', true],
  ])('%s is %s', (expression, expected) => {
    expect(evalBool(expression)).toEqual({ ok: true, value: expected });
  });

  it('fails on arithmetic mixing a double feature and an int literal', () => {
    const result = evalBool('features.orders_7d + 1 == 3.0');

    expect(result.ok).toBe(false);
  });
});

describe('null readings', () => {
  it('fails when a null reading is compared with a number', () => {
    const result = evalBool('features.max_order_value_30d > 100.0');

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toBeInstanceOf(RuleEvaluationError);
  });

  it.each([
    [null, false],
    [99, false],
    [150, true],
  ])('with a guard, max_order_value_30d = %s gives %s', (reading, expected) => {
    const guarded = 'features.max_order_value_30d != null && features.max_order_value_30d > 100.0';

    expect(evalBool(guarded, { max_order_value_30d: reading })).toEqual({
      ok: true,
      value: expected,
    });
  });
});

describe('missing traits', () => {
  it('fails on a missing trait and reports where', () => {
    const result = evalBool("traits.plan == 'gold'");

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.position).toEqual({ line: 1, column: 7 });
  });

  it.each([
    ['has(traits.plan)', false],
    ["has(traits.plan) && traits.plan == 'gold'", false],
    ["!has(traits.plan) || traits.plan != 'gold'", true],
    ["traits.address.city == 'London'", true],
    ["'trade' in traits.tags", true],
  ])('%s is %s', (expression, expected) => {
    expect(evalBool(expression)).toEqual({ ok: true, value: expected });
  });
});

describe('time', () => {
  // first_seen is NOW_MS - 31 days in the fixture.
  it.each([
    ['now - features.first_seen > days(30)', true],
    ['now - features.first_seen > days(31)', false],
    ['now - features.first_seen == days(30) + hours(24)', true],
    ['now - features.first_seen > hours(744.0) - minutes(1)', true],
    [`now == ${NOW_MS}.0`, true],
  ])('%s is %s', (expression, expected) => {
    expect(evalBool(expression)).toEqual({ ok: true, value: expected });
  });

  it('treats a never-seen profile as failing unless guarded', () => {
    const unguarded = evalBool('now - features.first_seen > days(30)', { first_seen: null });
    const guarded = evalBool(
      'features.first_seen != null && now - features.first_seen > days(30)',
      { first_seen: null },
    );

    expect(unguarded.ok).toBe(false);
    expect(guarded).toEqual({ ok: true, value: false });
  });

  it('reads last_seen one day ago', () => {
    const result = evalBool('now - features.last_seen < days(2)', { last_seen: NOW_MS - DAY_MS });

    expect(result).toEqual({ ok: true, value: true });
  });
});

function affinityBoost(category: string): string {
  const score = `features.category_affinity['${category}']`;
  return `'${category}' in features.category_affinity ? ${score} / 100.0 : 0.0`;
}

describe('double rules', () => {
  it.each([
    [affinityBoost('LANTERN'), 0.35],
    [affinityBoost('CANDLE'), 0],
    ['2', 2],
    ['double(size(features.recent_products)) * 0.5', 1],
  ])('%s gives %s', (expression, expected) => {
    expect(evalDouble(expression)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['0.0 / 0.0', 'finite double'],
    ["traits.country == 'UK' ? 1.0 : traits.country", 'got a string'],
  ])('%s is an error', (expression, reason) => {
    const result = evalDouble(expression);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(reason);
  });
});

describe('bool rules', () => {
  it('fails when the result is not a bool at run time', () => {
    const result = evalBool("traits.country == 'UK' || traits.country");

    expect(result.ok).toBe(false);
  });
});
