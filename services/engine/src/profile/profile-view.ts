import { readFeatures } from '@pulse/features';
import type { JsonObject } from '@bufbuild/protobuf';
import type { KeysRead, ProfileView } from '@pulse/rules';
import type { ProfileRecord } from '@pulse/store';
import type { Definitions } from '../definitions.js';

/** What rules see of a profile at `nowMs`: traits, every feature, identifiers. */
export function profileView(profile: ProfileRecord, defs: Definitions, nowMs: number): ProfileView {
  return {
    profileId: profile.id,
    traits: profile.traits,
    features: readFeatures(profile.features as never, defs.features, nowMs),
    identifiers: identifiersByType(profile, undefined),
    nowMs,
  };
}

/**
 * {@link profileView} holding only what the audience rules read (see
 * `AudienceSet.reads`): every audience evaluates on it as on the full view,
 * without reading the features and copying the traits no rule names.
 */
export function audienceView(
  profile: ProfileRecord,
  defs: Definitions,
  nowMs: number,
): ProfileView {
  const reads = defs.audiences.reads;
  return {
    profileId: profile.id,
    traits: pickKeys(profile.traits, reads.traits),
    features: readFeatures(profile.features as never, defs.features, nowMs, reads.features),
    identifiers: identifiersByType(profile, reads.identifiers),
    nowMs,
  };
}

function identifiersByType(profile: ProfileRecord, types: KeysRead): Record<string, string[]> {
  const identifiers: Record<string, string[]> = {};
  if (types?.size === 0) return identifiers;
  for (const [type, value] of profile.identifiers) {
    if (types === undefined || types.has(type)) (identifiers[type] ??= []).push(value);
  }
  return identifiers;
}

function pickKeys(object: JsonObject, keys: KeysRead): JsonObject {
  if (keys === undefined) return object;
  // No prototype: a trait named `__proto__` is a key like any other.
  const picked = Object.create(null) as JsonObject;
  for (const key of keys) {
    if (Object.hasOwn(object, key)) picked[key] = object[key]!;
  }
  return picked;
}
