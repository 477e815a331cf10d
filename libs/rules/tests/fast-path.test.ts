import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { compileRule, createActivation } from '@pulse/rules';
import type { FeatureReading, ProfileView, RuleActivation, RuleResult } from '@pulse/rules';
import { DAY_MS, NOW_MS, makeView } from './fixtures.js';

const RETAIL = new URL('../../../deploy/definitions/retail/', import.meta.url);

/** The demo's audience rules: what the engine evaluates on every batch. */
const RETAIL_AUDIENCES: string[] = (
  parseYaml(readFileSync(new URL('audiences.yaml', RETAIL), 'utf8')) as {
    audiences: { expression: string }[];
  }
).audiences.map((a) => a.expression);

/** Every construct the fast path takes, and neighbours it must leave to CEL. */
const BOOL_RULES = [
  ...RETAIL_AUDIENCES,
  'features.orders_7d >= 2',
  '2 == features.orders_7d',
  'features.orders_7d != 2.0',
  'features.orders_7d < 1.5 || features.orders_7d > 2.5',
  'features.spend_30d / features.orders_30d > 100.0',
  'features.spend_30d - features.spend_7d >= 0.0',
  '-features.spend_30d < -10.0',
  'features.spend_30d * 2.0 > 500.0',
  'features.orders_7d / 0.0 > 1.0',
  'features.orders_7d + 1 == 3.0',
  'features.orders_7d + 1.0 <= 3.0',
  'features.max_order_value_30d > 100.0',
  'features.max_order_value_30d == null',
  "features.category_affinity['LANTERN'] >= 20.0",
  "'__proto__' in features.category_affinity",
  "features.category_affinity['ünï'] > 0.0",
  'features.first_seen != null && now - features.first_seen < days(30.5)',
  'now - features.last_seen > hours(12) && now - features.last_seen < minutes(90000)',
  'days(features.orders_7d) > 0.0',
  'days(2) == hours(48)',
  '!(features.orders_7d > 1.0)',
  'features.orders_7d > 1.0 ? features.spend_30d > 10.0 : traits.vip',
  'traits.vip',
  '!traits.vip',
  'traits.vip == true',
  'traits.age >= 18',
  'traits.age >= 18.0 && traits.age < 65.0',
  "traits.country == 'United Kingdom'",
  "traits.country != 'France'",
  "traits.country < 'M'",
  "traits.address.city == 'London'",
  'has(traits.address.city)',
  'has(traits.address)',
  'has(traits.country)',
  "'country' in traits",
  'traits.address.city > 5.0',
  "'trade' in traits.tags",
  'traits.tags == traits.tags',
  "features.recent_products == ['A']",
  "features.orders_7d == 'two'",
  "traits.age == '18'",
  "request.channel == 'web'",
  'has(request.channel)',
  "placement == 'homepage'",
  "profile_id == 'p1' && 'user_id' in identifiers",
  'traits.score * 1.5 > 3.0 || traits.score < 0.0',
  'false && features.max_order_value_30d > 1.0',
  'features.max_order_value_30d > 1.0 && false',
  'true || traits.missing',
  'traits.missing || true',
  'features.orders_7d > 1.0 && traits.missing',
];

const DOUBLE_RULES = [
  'features.spend_30d * 0.01',
  'features.spend_30d / features.orders_30d',
  'features.orders_7d + 1.0',
  "features.category_affinity['LANTERN']",
  'features.max_order_value_30d',
  'traits.score',
  'features.orders_7d > 1.0 ? 2.0 : 1',
];

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ABSENT = Symbol('absent');

/** A random profile: numbers, nulls, odd types, absent traits and keys. */
function randomView(next: () => number): ProfileView {
  const pick = <T>(options: readonly T[]): T => options[Math.floor(next() * options.length)]!;
  const number = () => pick([0, 1, 2, 3, 2.5, -4, 1000, 1e300, -0, NaN]);
  const maybe = (value: FeatureReading) => (next() < 0.2 ? null : value);
  const affinity: Record<string, number> = {};
  for (const key of ['LANTERN', 'BAG', '__proto__', 'ünï']) {
    if (next() < 0.5) Object.defineProperty(affinity, key, { value: number(), enumerable: true });
  }
  const traits: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== ABSENT) traits[key] = value;
  };
  set('country', pick(['United Kingdom', 'France', 'Ünïcode', 5, null, true, ABSENT]));
  set('age', pick([17, 18, 30.5, 70, '18', null, ABSENT]));
  set('vip', pick([true, false, 'yes', 1, ABSENT]));
  set('address', pick([{ city: 'London' }, { city: 7 }, {}, 'London', ABSENT]));
  set('tags', pick([['gift', 'trade'], [], 'trade', ABSENT]));
  set('score', pick([2.5, -1, 0, '3', ABSENT]));
  const nowMs = NOW_MS + Math.floor(next() * 60) * DAY_MS;
  return makeView({
    profileId: pick(['p1', 'p2', '']),
    traits: traits as ProfileView['traits'],
    features: {
      orders_7d: number(),
      orders_30d: number(),
      spend_7d: number(),
      spend_30d: number(),
      orders_lifetime: number(),
      refunds_30d: number(),
      distinct_products_30d: number(),
      max_order_value_30d: maybe(number()),
      first_seen: maybe(nowMs - Math.floor(next() * 90) * DAY_MS),
      last_seen: maybe(nowMs - Math.floor(next() * 48) * 3_600_000),
      recent_products: pick([['A'], ['A', 'B'], []]),
      category_affinity: affinity,
    },
    identifiers: next() < 0.5 ? { user_id: ['1'] } : {},
    nowMs,
  });
}

/** The comparable part of a result: the value, or the error's message and position. */
function outcome(result: RuleResult<boolean | number>) {
  if (result.ok) return { value: result.value };
  return { error: result.error.message, position: result.error.position };
}

const VIEWS = 400;

describe('fast path', () => {
  for (const [kind, rules] of [
    ['bool', BOOL_RULES],
    ['double', DOUBLE_RULES],
  ] as const) {
    it.each(rules)(`gives what CEL gives for the ${kind} rule %s`, (expression) => {
      const fast = compileRule(expression, { name: 'rule', kind });
      const cel = compileRule(expression, { name: 'rule', kind, fastPath: false });
      const next = random(expression.length * 7919 + 17);
      for (let i = 0; i < VIEWS; i += 1) {
        const view = randomView(next);
        const request = next() < 0.5 ? { channel: next() < 0.5 ? 'web' : 'app' } : undefined;
        const context = next() < 0.5 ? { request, placement: 'homepage' } : undefined;
        const expected = outcome(cel.eval(createActivation(view, context)));
        const got = outcome(fast.eval(createActivation(view, context)));
        expect(got, JSON.stringify({ view, context })).toEqual(expected);
      }
    });
  }

  it('answers the demo audiences without building CEL values for a typical profile', () => {
    const view = makeView({
      traits: { country: 'France' },
      features: {
        orders_7d: 2,
        orders_30d: 3,
        orders_lifetime: 9,
        refunds_30d: 0,
        spend_30d: 1250.5,
        max_order_value_30d: 700,
        distinct_products_30d: 12,
        first_seen: NOW_MS - 10 * DAY_MS,
        category_affinity: { LANTERN: 60, BAG: 10 },
      },
    });
    let built = 0;
    const activation: RuleActivation = {
      view,
      context: undefined,
      get bindings() {
        built += 1;
        return createActivation(view).bindings;
      },
    };
    const results = RETAIL_AUDIENCES.map((expression) =>
      compileRule(expression, { name: 'rule', kind: 'bool' }).eval(activation),
    );

    // By hand: repeat buyers (2 orders), big spenders (1,250.5), new (10 days),
    // international (France), lantern lovers (60), high value order (700).
    expect(results.map((r) => r.ok && r.value)).toEqual([
      true, // repeat_buyers_7d
      true, // big_spenders_30d
      false, // lapsed
      true, // new_customers
      false, // uk
      true, // international
      false, // frequent_refunders
      true, // lantern_lovers
      false, // wide_baskets
      true, // high_value_order
    ]);
    expect(built).toBe(0);
  });

  it('reads a null request, as untyped callers send it, as an empty one on both paths', () => {
    const context = { request: null as unknown as undefined, placement: 'homepage' };
    for (const fastPath of [true, false]) {
      const rule = compileRule("!has(request.channel) && placement == 'homepage'", {
        name: 'rule',
        kind: 'bool',
        fastPath,
      });
      expect(outcome(rule.eval(createActivation(makeView({}), context)))).toEqual({ value: true });
    }
  });

  it('leaves rules with constructs it does not take to CEL alone', () => {
    for (const expression of [
      "traits.tags.exists(t, t == 'gift')",
      'size(features.recent_products) > 1',
      "traits.country.startsWith('U')",
      'features.orders_7d % 2.0 == 0.0',
    ]) {
      expect(compileRule(expression, { name: 'rule', kind: 'bool' }).hasFastPath).toBe(false);
    }
    expect(compileRule('features.orders_7d >= 2.0', { name: 'r', kind: 'bool' }).hasFastPath).toBe(
      true,
    );
  });
});
