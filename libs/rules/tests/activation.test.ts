import { describe, expect, it } from 'vitest';
import { compileRule, createActivation } from '@pulse/rules';
import type { RuleActivation } from '@pulse/rules';
import { makeView } from './fixtures.js';

function holds(expression: string, activation: RuleActivation) {
  return compileRule(expression, { name: 'rule', kind: 'bool' }).eval(activation);
}

describe('createActivation', () => {
  const activation = createActivation(makeView(), {
    request: { page: 'home', cart: { items: 3 } },
    placement: 'homepage',
  });

  it.each([
    ["profile_id == 'p1'"],
    ["'ann@example.com' in identifiers.email"],
    ["identifiers.user_id[0] == '17850'"],
    ['!has(identifiers.phone)'],
    ["features.recent_products[0] == 'WHITE METAL LANTERN'"],
    ["features.category_affinity['BAG'] == 10.0"],
    ['size(features.category_affinity) == 2'],
    ["placement == 'homepage'"],
    ["request.page == 'home' && request.cart.items >= 3.0"],
  ])('binds %s', (expression) => {
    expect(holds(expression, activation)).toEqual({ ok: true, value: true });
  });

  it('defaults request to an empty map and placement to an empty string', () => {
    const plain = createActivation(makeView());

    expect(holds("size(request) == 0 && placement == ''", plain)).toEqual({
      ok: true,
      value: true,
    });
  });

  it('leaves out traits whose value is undefined', () => {
    const view = makeView({ traits: { plan: undefined as never, country: 'France' } });

    expect(holds('!has(traits.plan)', createActivation(view))).toEqual({ ok: true, value: true });
  });

  it('is reused by many rules', () => {
    const rules = ['features.orders_7d >= 2.0', "traits.country == 'United Kingdom'"].map((e) =>
      compileRule(e, { name: e, kind: 'bool' }),
    );

    expect(rules.map((rule) => rule.eval(activation))).toEqual([
      { ok: true, value: true },
      { ok: true, value: true },
    ]);
  });
});
