import { performance } from 'node:perf_hooks';
import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';

const PRUNE_INTERVAL_MS = 10_000;

/** Entries removed per transaction. */
const PRUNE_CHUNK = 5_000;

/** Time one round may take before yielding. */
const PRUNE_BUDGET_MS = 100;

/**
 * Forgets message ids older than the retention, in bounded rounds every ten
 * seconds, each going on until the index is clean or its time is up: the
 * index stays bounded at any sustained event rate the engine can apply.
 */
export function startDedupePruner(
  store: PulseStore,
  retentionMs: number,
  logger: Logger,
): { stop(): void } {
  const prune = () => {
    const deadline = performance.now() + PRUNE_BUDGET_MS;
    const cutoffMs = Date.now() - retentionMs;
    let total = 0;
    let pruned = 0;
    do {
      pruned = store.transaction(() => store.pruneDedupe(cutoffMs, PRUNE_CHUNK));
      total += pruned;
    } while (pruned === PRUNE_CHUNK && performance.now() < deadline);
    if (total > 0) logger.debug({ pruned: total }, 'dedupe index pruned');
  };
  const timer = setInterval(prune, PRUNE_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
