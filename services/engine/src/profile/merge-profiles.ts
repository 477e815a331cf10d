import type { JsonValue } from '@bufbuild/protobuf';
import { mergeStates } from '@pulse/features';
import type { FeatureDefinitions } from '@pulse/features';
import { TransitionReason } from '@pulse/proto';
import type { ProfileRecord, PulseStore } from '@pulse/store';
import { leaveAllAudiences } from '../audience/update-audiences.js';
import { PROFILE_ID_TYPE } from './find-profile.js';
import type { ProfileCache } from './resolve-profile.js';

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
 * identifiers (and its own id) now name the survivor, traits merge per
 * top-level key by the later write, feature state merges, and the absorbed
 * record, its index memberships (each with an exit transition, reason
 * merge, at `atMs`) and its re-check are removed. Returns the
 * number of trait conflicts (a trait kept because the types differ).
 */
export function mergeProfiles(
  store: PulseStore,
  cache: ProfileCache,
  survivor: ProfileRecord,
  absorbed: ProfileRecord,
  features: FeatureDefinitions,
  atMs: number,
): number {
  for (const [type, value] of absorbed.identifiers) {
    store.linkIdentifier(type, value, survivor.id);
    if (!survivor.identifiers.some(([t, v]) => t === type && v === value)) {
      survivor.identifiers.push([type, value]);
    }
  }
  store.linkIdentifier(PROFILE_ID_TYPE, absorbed.id, survivor.id);
  const conflicts = mergeTraits(survivor, absorbed);
  mergeStates(survivor.features as never, absorbed.features as never, features);
  survivor.firstSeenMs = Math.min(survivor.firstSeenMs, absorbed.firstSeenMs);
  survivor.lastSeenMs = Math.max(survivor.lastSeenMs, absorbed.lastSeenMs);

  // The survivor's audiences are re-evaluated at the end of the batch; the
  // absorbed profile must leave the index now, and never be written back.
  leaveAllAudiences(store, absorbed, atMs, TransitionReason.MERGE);
  store.scheduleRecheck(absorbed.id, absorbed.recheckAtMs ?? null, null);
  store.deleteProfile(absorbed.id);
  cache.delete(absorbed.id);
  return conflicts;
}

/** Per top-level trait the later write wins, but a trait never changes type. */
function mergeTraits(survivor: ProfileRecord, absorbed: ProfileRecord): number {
  let conflicts = 0;
  for (const [key, value] of Object.entries(absorbed.traits)) {
    const absorbedAtMs = absorbed.traitTimesMs[key] ?? absorbed.firstSeenMs;
    if (!(key in survivor.traits)) {
      survivor.traits[key] = value;
      survivor.traitTimesMs[key] = absorbedAtMs;
      continue;
    }
    if (typeOf(survivor.traits[key]) !== typeOf(value)) {
      conflicts += 1;
      continue;
    }
    const survivorAtMs = survivor.traitTimesMs[key] ?? survivor.firstSeenMs;
    if (absorbedAtMs > survivorAtMs) {
      survivor.traits[key] = value;
      survivor.traitTimesMs[key] = absorbedAtMs;
    }
  }
  return conflicts;
}

function typeOf(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
