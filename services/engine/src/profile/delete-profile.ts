import { TransitionReason } from '@pulse/proto';
import type { AudienceSet } from '@pulse/audiences';
import type { ProfileRecord, PulseStore } from '@pulse/store';
import { leaveAllAudiences } from '../audience/update-audiences.js';
import { PROFILE_ID_TYPE } from './find-profile.js';
import { announceDeletion } from './profile-changes.js';
import type { ProfileCache } from './resolve-profile.js';

/** A deletion as it arrives on the event stream. */
export interface DeletionRequest {
  suppress: boolean;
  reason: string;
  /** The deletion's message id. */
  deletionId: string;
}

/**
 * Forgets a profile inside the caller's transaction: it leaves every
 * audience (exits with reason delete), its re-check is cancelled, every
 * identifier and every absorbed profile id stops resolving (or, with
 * suppression, is recorded so later events carrying it are dropped), and the
 * record with its traits and features is removed. A deletion notice is
 * queued for downstream systems. Nothing of the profile remains in LMDB
 * except, with suppression, its identifiers in the suppression list.
 * `announce` is false on engines that do not own the profile's partition.
 */
export function deleteProfile(
  store: PulseStore,
  audiences: AudienceSet,
  cache: ProfileCache,
  profile: ProfileRecord,
  request: DeletionRequest,
  atMs: number,
  announce = true,
): void {
  leaveAllAudiences(store, audiences, profile, atMs, TransitionReason.DELETE);
  store.scheduleRecheck(profile.id, profile.recheckAtMs ?? null, null);
  for (const [type, value] of profile.identifiers) {
    store.unlinkIdentifier(type, value);
    if (request.suppress) store.suppress(type, value, atMs);
  }
  const absorbedIds = (profile.merges ?? []).map((m) => m.absorbedId);
  for (const absorbedId of absorbedIds) store.unlinkIdentifier(PROFILE_ID_TYPE, absorbedId);
  store.deleteProfile(profile.id);
  store.contacts.removeSync(profile.id);
  cache.delete(profile.id);
  // With partitions, the engine that owns the profile tells downstream systems.
  if (!announce) return;
  announceDeletion(store, {
    profileId: profile.id,
    identifiers: profile.identifiers,
    absorbedProfileIds: absorbedIds,
    suppressed: request.suppress,
    reason: request.reason,
    deletionId: request.deletionId,
    atMs,
  });
}
