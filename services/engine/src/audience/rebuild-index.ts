import { createHash } from 'node:crypto';
import { TransitionReason } from '@pulse/proto';
import type { PulseStore } from '@pulse/store';
import type { ClockMode } from '../clock.js';
import type { Definitions } from '../definitions.js';
import { updateAudiences } from './update-audiences.js';
import type { RecheckPolicy, Transition } from './update-audiences.js';

/** Meta key of the fingerprint the live audience index was built from. */
export const INDEX_FINGERPRINT_KEY = 'audience-index';

/** Profiles re-evaluated per transaction during a rebuild. */
const REBUILD_CHUNK = 1_000;

/**
 * What the live index depends on besides events: the audience rules, the
 * features they read, and the clock. A change means every profile must be
 * evaluated again.
 */
export function indexFingerprint(defs: Definitions, clock: ClockMode): string {
  const parts = {
    clock,
    // n and max_keys change readings without changing the state's fingerprint.
    features: defs.features.features.map((f) => [
      f.id,
      f.fingerprint,
      'n' in f ? f.n : null,
      'maxKeys' in f ? f.maxKeys : null,
    ]),
    audiences: defs.audiences.ids.map((id) => [id, defs.audiences.get(id)!.expression]),
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** True when the stored index was built from other definitions or another clock. */
export function indexIsStale(store: PulseStore, fingerprint: string): boolean {
  return store.meta.get(INDEX_FINGERPRINT_KEY) !== fingerprint;
}

/** How a rebuild labels and reports its work. */
export interface RebuildOptions {
  /** The reason its transitions carry. @default TransitionReason.DEFINITION */
  reason?: TransitionReason;
  /** Profiles this engine keeps (the others' owners evaluate them). @default every profile */
  owns?: (profileId: string) => boolean;
  /** Called after each committed chunk with the profiles done so far and its transitions. */
  onChunk?: (profilesDone: number, transitions: readonly Transition[]) => void;
}

/**
 * Re-evaluates every profile at `nowMs()` in chunks, one transaction each,
 * yielding between chunks, then records the fingerprint. A crash part-way
 * leaves the old fingerprint, so the next start rebuilds again; a rebuild
 * overtaken by newer definitions (`isCurrent` false) stops early.
 */
export async function rebuildAudienceIndex(
  store: PulseStore,
  defs: Definitions,
  fingerprint: string,
  nowMs: () => number,
  policy: RecheckPolicy,
  isCurrent: () => boolean = () => true,
  options: RebuildOptions = {},
): Promise<{ profiles: number; transitions: number }> {
  const reason = options.reason ?? TransitionReason.DEFINITION;
  let after: string | undefined;
  let profiles = 0;
  let transitions = 0;
  // Mark the index as being rebuilt: an abandoned rebuild leaves it stale
  // for every fingerprint, so the next refresh (a revert, a restart) redoes it.
  store.transaction(() => store.meta.putSync(INDEX_FINGERPRINT_KEY, ''));
  for (;;) {
    // A newer reload started its own rebuild: leave the index to it.
    if (!isCurrent()) return { profiles, transitions };
    const ids = store.profileIdsAfter(after, REBUILD_CHUNK);
    if (ids.length === 0) break;
    const changes: Transition[] = [];
    store.transaction(() => {
      for (const id of ids) {
        const profile = store.getProfile(id);
        if (!profile || (options.owns && !options.owns(id))) continue;
        updateAudiences(store, defs, profile, nowMs(), policy, changes, reason);
        store.putProfile(profile);
      }
    });
    profiles += ids.length;
    transitions += changes.length;
    after = ids[ids.length - 1];
    options.onChunk?.(profiles, changes);
    await new Promise((resolve) => setImmediate(resolve));
  }
  store.transaction(() => store.meta.putSync(INDEX_FINGERPRINT_KEY, fingerprint));
  return { profiles, transitions };
}
