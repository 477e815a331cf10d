import { CelScalar, celEnv, celFunc } from '@bufbuild/cel';
import type { CelEnv, CelFunc } from '@bufbuild/cel';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * `days(n)`, `hours(n)` and `minutes(n)` turn a count into milliseconds as a
 * double, so `now - features.first_seen > days(30)` reads the way it is meant.
 */
export const DURATION_HELPERS: Readonly<Record<string, number>> = {
  days: DAY_MS,
  hours: HOUR_MS,
  minutes: MINUTE_MS,
};

function durationFuncs(name: string, unitMs: number): CelFunc[] {
  return [
    celFunc(name, [CelScalar.INT], CelScalar.DOUBLE, (n) => Number(n) * unitMs),
    celFunc(name, [CelScalar.DOUBLE], CelScalar.DOUBLE, (n) => n * unitMs),
  ];
}

/** The one environment every rule is planned in: the CEL standard library plus our helpers. */
export const RULE_ENV: CelEnv = celEnv({
  funcs: Object.entries(DURATION_HELPERS).flatMap(([name, unitMs]) => durationFuncs(name, unitMs)),
});

/**
 * Calls the planner handles itself rather than through the function
 * resolver: logic, the conditional, indexing and macro internals.
 */
const PLANNER_BUILTINS: ReadonlySet<string> = new Set([
  '_&&_',
  '_||_',
  '_?_:_',
  '_[_]',
  '_[?_]',
  '_?._',
  '@not_strictly_false',
]);

/** True when a call to `name` can be planned in {@link RULE_ENV}. */
export function isKnownFunction(name: string): boolean {
  return PLANNER_BUILTINS.has(name) || RULE_ENV.funcs.find(name) !== undefined;
}
