/**
 * Micro benchmark: evaluations per second of typical audience rules, with
 * the fast path and with CEL alone. Run with
 * `npx tsx libs/rules/bench/eval.bench-run.ts`.
 */
import { performance } from 'node:perf_hooks';
import { compileRule, createActivation } from '../src/index.js';
import type { ProfileView } from '../src/index.js';

const DAY_MS = 86_400_000;
const NOW_MS = Date.UTC(2011, 11, 1);
const DURATION_MS = 1_000;

const TYPICAL_RULE = 'features.orders_30d == 0.0 && features.orders_lifetime >= 1.0';

const RETAIL_RULES = [
  'features.orders_7d >= 2.0',
  'features.spend_30d >= 1000.0',
  TYPICAL_RULE,
  'features.first_seen != null && now - features.first_seen < days(30)',
  "has(traits.country) && traits.country == 'United Kingdom'",
  "has(traits.country) && traits.country != 'United Kingdom'",
  'features.refunds_30d >= 2.0',
  "'LANTERN' in features.category_affinity && features.category_affinity['LANTERN'] >= 50.0",
  'features.distinct_products_30d >= 20.0',
  'features.max_order_value_30d != null && features.max_order_value_30d >= 500.0',
];

const view: ProfileView = {
  profileId: 'p1',
  traits: { country: 'United Kingdom', plan: 'gold' },
  features: {
    orders_7d: 0,
    orders_30d: 0,
    orders_lifetime: 4,
    spend_7d: 0,
    spend_30d: 0,
    spend_lifetime: 820.4,
    refunds_30d: 0,
    distinct_products_30d: 0,
    max_order_value_30d: null,
    recent_products: ['WHITE METAL LANTERN', 'JUMBO BAG RED RETROSPOT', 'REGENCY CAKESTAND'],
    category_affinity: { LANTERN: 12.5, BAG: 40, CAKESTAND: 3 },
    first_seen: NOW_MS - 200 * DAY_MS,
    last_seen: NOW_MS - 45 * DAY_MS,
  },
  identifiers: { user_id: ['17850'], email: ['ann@example.com'] },
  nowMs: NOW_MS,
};

/** Runs `step` for about DURATION_MS and returns calls per second. */
function measure(step: () => unknown): number {
  for (let i = 0; i < 10_000; i += 1) step(); // warm up the JIT
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < DURATION_MS) {
    for (let i = 0; i < 1_000; i += 1) step();
    calls += 1_000;
    elapsed = performance.now() - started;
  }
  return (calls / elapsed) * 1_000;
}

function report(label: string, perSecond: number): void {
  const figure = Math.round(perSecond).toLocaleString('en-GB');
  process.stdout.write(`${label.padEnd(56)} ${figure.padStart(12)} /s\n`);
}

/** Each measured with the fast path (fast-path.ts) and with CEL alone, the reference. */
for (const fastPath of [true, false]) {
  const how = fastPath ? 'fast path' : 'CEL only';
  const typical = compileRule(TYPICAL_RULE, { name: 'bench', kind: 'bool', fastPath });
  const retail = RETAIL_RULES.map((rule, i) =>
    compileRule(rule, { name: `r${i}`, kind: 'bool', fastPath }),
  );
  // Built once: the CEL bindings are made on first use and kept.
  const activation = createActivation(view);
  report(
    `${how}: one rule, reused activation`,
    measure(() => typical.eval(activation)),
  );
  report(
    `${how}: activation + 10 audience rules`,
    measure(() => {
      const perProfile = createActivation(view);
      for (const rule of retail) rule.eval(perProfile);
    }),
  );
}
report(
  'CEL bindings of one view (13 features, 2 traits)',
  measure(() => createActivation(view).bindings),
);
