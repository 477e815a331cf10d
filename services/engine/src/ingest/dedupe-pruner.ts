import { performance } from 'node:perf_hooks';
import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';

const PRUNE_INTERVAL_MS = 250;

/** Entries removed per transaction. */
const PRUNE_CHUNK = 1_000;

/** Time one round may take before yielding, short to keep API latency steady. */
const PRUNE_BUDGET_MS = 20;

/**
 * Forgets message ids older than the retention, in rounds four times a
 * second, each going on until the index is clean or 20 ms are up (tens of
 * thousands of ids a second, above what the engine applies): the index stays
 * bounded.
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
