import { performance } from 'node:perf_hooks';
import type { TransitionReason } from '@pulse/proto';
import type { Logger } from 'pino';
import type { ResolvedEngineConfig } from '../config.js';
import type { EngineContext } from '../context.js';
import type { Definitions } from '../definitions.js';
import { changedAudiences } from './backfill.js';
import type { BackfillStatus } from './backfill.js';
import { indexFingerprint, indexIsStale, rebuildAudienceIndex } from './rebuild-index.js';
import type { RecheckPolicy } from './update-audiences.js';

/**
 * Rebuilds the live audience index when the definitions or the clock it was
 * built from changed (a reload, a new version, another PULSE_CLOCK).
 */
export async function refreshAudienceIndex(
  context: EngineContext,
  config: ResolvedEngineConfig,
  recheck: RecheckPolicy,
  log: Logger,
  keepGoing: () => boolean,
  options: { reason?: TransitionReason; previous?: Definitions; backfill: BackfillStatus },
): Promise<void> {
  const defs = context.definitions();
  const fingerprint = indexFingerprint(defs, config.clock);
  if (!indexIsStale(context.store, fingerprint)) return;
  const started = performance.now();
  const { backfill } = options;
  const run = backfill.begin(
    changedAudiences(options.previous, defs),
    context.store.countProfiles(),
  );
  const isCurrent = () => keepGoing() && context.definitions() === defs;
  const done = await rebuildAudienceIndex(
    context.store,
    defs,
    fingerprint,
    () => context.clock.now(),
    recheck,
    isCurrent,
    {
      reason: options.reason,
      owns: (id) => context.ownership.owns(id),
      onChunk: (n, changes) => backfill.advance(run, n, changes),
    },
  );
  backfill.finish(run, isCurrent());
  const ms = Math.round(performance.now() - started);
  log.info({ ...done, ms }, 'audience index rebuilt');
}
