import type { FeatureDefinitions } from './definitions.js';
import { nextBucketChangeMs } from './kinds/bucket-window.js';
import type { HashBucketsState, LastNState, NumberBucketsState } from './state.js';
import type { FeatureStates } from './state.js';
import { stateOf } from './state.js';

/**
 * The earliest instant after `afterMs` at which a reading may change with no
 * new event: a counted bucket leaves its window, or a future-dated bucket or
 * last_n entry comes into reach. Conservative: the reading may turn out equal
 * (a sum bucket of 0, a min repeated elsewhere). Lifetime features and
 * affinity decay are not scheduled. `null` when nothing is pending.
 */
export function nextChangeMs(
  states: FeatureStates,
  defs: FeatureDefinitions,
  afterMs: number,
): number | null {
  let next = Infinity;
  for (const def of defs.features) {
    let candidate: number | null = null;
    if (def.kind === 'last_n') {
      const state = stateOf<LastNState>(states, def.id, def.fingerprint);
      candidate = state === undefined ? null : nextEntryMs(state, afterMs);
    } else if (def.windowMs !== null) {
      const state = stateOf<NumberBucketsState | HashBucketsState>(states, def.id, def.fingerprint);
      candidate = state === undefined ? null : nextBucketChangeMs(state.buckets, def, afterMs);
    }
    if (candidate !== null && candidate < next) next = candidate;
  }
  return next === Infinity ? null : next;
}

/** The earliest entry time after `afterMs`: that entry becomes readable then. */
function nextEntryMs(state: LastNState, afterMs: number): number | null {
  let next: number | null = null;
  for (const timeMs of state.timesMs) {
    if (timeMs > afterMs && (next === null || timeMs < next)) next = timeMs;
  }
  return next;
}
