import type { Event } from '@pulse/proto';
import { emptyProfile } from '@pulse/store';
import type { ProfileRecord, PulseStore } from '@pulse/store';

/** Identifier types in the order that decides which profile an event joins. */
const TYPE_PRIORITY = ['user_id', 'email', 'phone', 'device_id', 'anonymous_id'];

/** Profiles touched by the batch in progress, written once at its end. */
export type ProfileCache = Map<string, ProfileRecord>;

/** Outcome of resolving one event's identifiers. */
export interface Resolution {
  profile: ProfileRecord;
  /** Identifiers that named a different profile and were left there. */
  conflicts: number;
}

/**
 * Finds the profile an event belongs to and links its new identifiers to it.
 * Events that name two existing profiles join the one named by the
 * highest-priority identifier and are counted as conflicts.
 */
// TODO(identity): merge profiles and apply per-type limits; a single-writer
// identity stage replaces this lookup (#3).
export function resolveProfile(
  store: PulseStore,
  cache: ProfileCache,
  event: Event,
  newProfileId: string,
  atMs: number,
): Resolution {
  const identifiers = sortByPriority(event.identifiers.map((i) => [i.type, i.value] as const));
  let profileId: string | undefined;
  let conflicts = 0;
  const unlinked: (readonly [string, string])[] = [];
  for (const [type, value] of identifiers) {
    const owner = store.profileIdOf(type, value);
    if (owner === undefined) unlinked.push([type, value]);
    else if (profileId === undefined) profileId = owner;
    else if (owner !== profileId) conflicts += 1;
  }

  const profile = loadOrCreate(store, cache, profileId ?? newProfileId, atMs);
  for (const [type, value] of unlinked) {
    store.linkIdentifier(type, value, profile.id);
    profile.identifiers.push([type, value]);
  }
  return { profile, conflicts };
}

function loadOrCreate(
  store: PulseStore,
  cache: ProfileCache,
  profileId: string,
  atMs: number,
): ProfileRecord {
  let profile = cache.get(profileId) ?? store.getProfile(profileId);
  if (!profile) profile = emptyProfile(profileId, atMs);
  cache.set(profileId, profile);
  return profile;
}

function sortByPriority<T extends readonly [string, string]>(identifiers: T[]): T[] {
  const rank = (type: string) => {
    const index = TYPE_PRIORITY.indexOf(type);
    return index === -1 ? TYPE_PRIORITY.length - 1 : index;
  };
  return identifiers.sort((a, b) => rank(a[0]) - rank(b[0]));
}
