import { mergeStates } from '@pulse/features';
import type { AudienceSet } from '@pulse/audiences';
import type { FeatureDefinitions } from '@pulse/features';
import { TransitionReason } from '@pulse/proto';
import type { MergeEntry, ProfileRecord, PulseStore } from '@pulse/store';
import { leaveAllAudiences } from '../audience/update-audiences.js';
import { exportMergedState, markMergedStateApplied } from '../partition/merged-state.js';
import { exportsMerge } from '../partition/ownership.js';
import type { Ownership } from '../partition/ownership.js';
import { PROFILE_ID_TYPE } from './find-profile.js';
import { announceMerge } from './profile-changes.js';
import type { ProfileCache } from './resolve-profile.js';
import { mergeTraits } from './trait-merge.js';
import { mergeContacts } from './merge-contacts.js';

/**
 * The profile that survives a merge: the one holding a limited identifier
 * (user_id) when exactly one does, else the oldest (lowest firstSeenMs, then id).
 */
export function chooseSurvivor(
  profiles: readonly ProfileRecord[],
  isLimited: (type: string) => boolean,
): ProfileRecord {
  const identified = profiles.filter((p) => p.identifiers.some(([type]) => isLimited(type)));
  if (identified.length === 1) return identified[0]!;
  const byAge = [...profiles].sort(
    (a, b) => a.firstSeenMs - b.firstSeenMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return byAge[0]!;
}

/**
 * Folds `absorbed` into `survivor` inside the caller's transaction: its
 * identifiers (and its own id) now name the survivor, traits merge deeply by
 * the later write per leaf (trait-merge.ts), feature state merges, and the absorbed
 * record, its index memberships (each with an exit transition, reason
 * merge, at `atMs`) and its re-check are removed. The merge joins the
 * survivor's history and is announced on `pulse.profile.merged`. Returns the
 * number of trait conflicts (a trait kept because the types differ).
 *
 * Across partitions every engine links the identifiers alike; traits and
 * features move only where they are kept: folded in by the survivor's owner,
 * or sent to it by the absorbed profile's owner (merged-state.ts).
 */
export function mergeProfiles(
  store: PulseStore,
  cache: ProfileCache,
  survivor: ProfileRecord,
  absorbed: ProfileRecord,
  defs: { features: FeatureDefinitions; audiences: AudienceSet; ownership: Ownership },
  atMs: number,
  messageId: string,
): number {
  for (const [type, value] of absorbed.identifiers) {
    store.linkIdentifier(type, value, survivor.id);
    if (!survivor.identifiers.some(([t, v]) => t === type && v === value)) {
      survivor.identifiers.push([type, value]);
    }
  }
  store.linkIdentifier(PROFILE_ID_TYPE, absorbed.id, survivor.id);
  const ownsSurvivor = defs.ownership.owns(survivor.id);
  let conflicts = 0;
  if (exportsMerge(defs.ownership, absorbed.id, survivor.id)) {
    exportMergedState(store, absorbed, survivor.id, atMs);
  }
  if (ownsSurvivor) {
    const target = { traits: survivor.traits, timesMs: survivor.traitTimesMs };
    // Leaves without a recorded time date from the absorbed profile's first event.
    conflicts = mergeTraits(
      target,
      absorbed.traits,
      absorbed.firstSeenMs,
      absorbed.traitTimesMs,
    ).conflicts;
    mergeStates(survivor.features as never, absorbed.features as never, defs.features);
    // Its state is in; a copy sent by an engine that owned it once is not counted again.
    if (defs.ownership.owns(absorbed.id)) markMergedStateApplied(store, absorbed.id);
  }
  survivor.firstSeenMs = Math.min(survivor.firstSeenMs, absorbed.firstSeenMs);
  survivor.lastSeenMs = Math.max(survivor.lastSeenMs, absorbed.lastSeenMs);
  const entry: MergeEntry = {
    absorbedId: absorbed.id,
    atMs,
    messageId,
    identifiers: absorbed.identifiers.map(([type, value]) => [type, value]),
  };
  // The absorbed profile's own history comes along, so a deletion reaches every old id.
  survivor.merges = [...(survivor.merges ?? []), ...(absorbed.merges ?? []), entry].sort(
    (a, b) => a.atMs - b.atMs,
  );
  if (ownsSurvivor) announceMerge(store, survivor.id, entry);
  mergeContacts(store, survivor.id, absorbed.id);

  // The survivor's audiences are re-evaluated at the end of the batch; the
  // absorbed profile must leave the index now, and never be written back.
  leaveAllAudiences(store, defs.audiences, absorbed, atMs, TransitionReason.MERGE);
  store.scheduleRecheck(absorbed.id, absorbed.recheckAtMs ?? null, null);
  store.deleteProfile(absorbed.id);
  cache.delete(absorbed.id);
  return conflicts;
}
