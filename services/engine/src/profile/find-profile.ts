import type { Identifier } from '@pulse/proto';
import type { ProfileRecord, PulseStore } from '@pulse/store';

/** The identifier type that names a profile by its own id. */
export const PROFILE_ID_TYPE = 'profile_id';

/** The profile an identifier names, if any; `profile_id` looks up the id itself. */
export function findProfile(store: PulseStore, identifier: Identifier): ProfileRecord | undefined {
  const profileId =
    identifier.type === PROFILE_ID_TYPE
      ? identifier.value
      : store.profileIdOf(identifier.type, identifier.value);
  return profileId === undefined ? undefined : store.getProfile(profileId);
}

/** The first profile any of the identifiers names. */
export function findProfileByAny(
  store: PulseStore,
  identifiers: readonly Identifier[],
): ProfileRecord | undefined {
  for (const identifier of identifiers) {
    const profile = findProfile(store, identifier);
    if (profile) return profile;
  }
  return undefined;
}
