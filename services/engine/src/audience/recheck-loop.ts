import { performance } from 'node:perf_hooks';
import type { PulseStore } from '@pulse/store';
import type { Clock } from '../clock.js';
import type { Definitions } from '../definitions.js';
import type { EngineMetrics } from '../metrics.js';
import { runDueRechecks } from './update-audiences.js';
import type { RecheckPolicy, Transition } from './update-audiences.js';

/** How often the loop looks for due re-checks on its own. */
const RECHECK_INTERVAL_MS = 200;

/** Most re-checks in one transaction. */
const RECHECKS_PER_TRANSACTION = 100;

/**
 * Time one round may take before yielding: short, so that a burst of due
 * re-checks (many windows crossing the same bucket boundary) never stalls API
 * calls for long; frequent rounds keep the throughput.
 */
const RECHECK_BUDGET_MS = 10;

/** Runs due audience re-checks after each batch and on a timer. */
export interface RecheckLoop {
  /** One bounded round at the clock's now; the timer finishes any backlog. */
  runDue(): void;
  stop(): void;
}

/** What the loop reads and writes. */
export interface RecheckLoopOptions {
  store: PulseStore;
  definitions: () => Definitions;
  clock: Clock;
  policy: RecheckPolicy;
  metrics: EngineMetrics;
}

/**
 * Audiences that change with time alone: the event clock moves with each
 * batch, the wall clock with the timer. Rounds are bounded in size and time
 * so a backlog never stalls intake.
 */
export function startRecheckLoop(options: RecheckLoopOptions): RecheckLoop {
  const { store, clock, policy, metrics } = options;
  const runDue = () => {
    const deadline = performance.now() + RECHECK_BUDGET_MS;
    const nowMs = clock.now();
    const transitions: Transition[] = [];
    let checked = 0;
    do {
      const defs = options.definitions();
      checked = runDueRechecks(store, defs, nowMs, policy, RECHECKS_PER_TRANSACTION, transitions);
      if (checked > 0) metrics.recordRechecks(checked, transitions.splice(0));
    } while (checked === RECHECKS_PER_TRANSACTION && performance.now() < deadline);
  };
  const timer = setInterval(runDue, RECHECK_INTERVAL_MS);
  timer.unref();
  return { runDue, stop: () => clearInterval(timer) };
}
