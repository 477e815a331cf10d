import { readFeatures } from '@pulse/features';
import type { ProfileView } from '@pulse/rules';
import type { ProfileRecord } from '@pulse/store';
import type { Definitions } from '../definitions.js';

/** What rules see of a profile at `nowMs`: traits, every feature, identifiers. */
export function profileView(profile: ProfileRecord, defs: Definitions, nowMs: number): ProfileView {
  const identifiers: Record<string, string[]> = {};
  for (const [type, value] of profile.identifiers) (identifiers[type] ??= []).push(value);
  return {
    profileId: profile.id,
    traits: profile.traits,
    features: readFeatures(profile.features as never, defs.features, nowMs),
    identifiers,
    nowMs,
  };
}
