import type { Identifier } from '@pulse/proto';
import type { ProfileRecord, PulseStore } from '@pulse/store';
import type { IdentityRules } from './identity-rules.js';

/** The identifier type that names a profile by its own id. */
export const PROFILE_ID_TYPE = 'profile_id';

/** Most merges one old profile id is followed through to its survivor. */
const MAX_MERGE_HOPS = 64;

/**
 * The profile an identifier names, if any; `profile_id` looks up the id
 * itself, or the profile it was merged into. With `identity`, the value is
 * looked up in its stored form (hashed where configured).
 */
export function findProfile(
  store: PulseStore,
  identifier: Pick<Identifier, 'type' | 'value'>,
  identity?: IdentityRules,
): ProfileRecord | undefined {
  if (identifier.type !== PROFILE_ID_TYPE) {
    const value = identity
      ? identity.storedValue(identifier.type, identifier.value)
      : identifier.value;
    const profileId = store.profileIdOf(identifier.type, value);
    return profileId === undefined ? undefined : store.getProfile(profileId);
  }
  let profileId: string | undefined = identifier.value;
  for (let hop = 0; profileId !== undefined && hop <= MAX_MERGE_HOPS; hop += 1) {
    const profile = store.getProfile(profileId);
    if (profile) return profile;
    // A merged-away id links to the profile that absorbed it.
    profileId = store.profileIdOf(PROFILE_ID_TYPE, profileId);
  }
  return undefined;
}

/** The first profile any of the identifiers names. */
export function findProfileByAny(
  store: PulseStore,
  identifiers: readonly Pick<Identifier, 'type' | 'value'>[],
  identity?: IdentityRules,
): ProfileRecord | undefined {
  for (const identifier of identifiers) {
    const profile = findProfile(store, identifier, identity);
    if (profile) return profile;
  }
  return undefined;
}
