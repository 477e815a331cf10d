import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { FeatureDefinitions } from '@pulse/features';
import type { FeatureValueSchema, ProfileSchema } from '@pulse/proto';
import type { ProfileView } from '@pulse/rules';
import type { ProfileRecord } from '@pulse/store';
import { toMergeRecord } from '../profile/profile-changes.js';

type FeatureValueInit = MessageInitShape<typeof FeatureValueSchema>;

/** The API shape of a profile read at `view.nowMs`. */
export function toProfileMessage(
  record: ProfileRecord,
  view: ProfileView,
  defs: FeatureDefinitions,
  audiences: string[],
  personalizationAllowed: boolean,
): MessageInitShape<typeof ProfileSchema> {
  return {
    profileId: record.id,
    identifiers: record.identifiers.map(([type, value]) => ({ type, value })),
    traits: record.traits,
    features: defs.features.map((def) => featureValue(def.id, def.kind, view.features[def.id])),
    audiences,
    firstSeen: timestampFromMs(record.firstSeenMs),
    lastSeen: timestampFromMs(record.lastSeenMs),
    merges: (record.merges ?? []).map(toMergeRecord),
    personalizationAllowed,
  };
}

function featureValue(featureId: string, kind: string, reading: unknown): FeatureValueInit {
  if (reading === null || reading === undefined) return { featureId };
  if (kind === 'first_seen' || kind === 'last_seen') {
    return { featureId, value: { case: 'time', value: timestampFromMs(reading as number) } };
  }
  if (typeof reading === 'number') return { featureId, value: { case: 'number', value: reading } };
  if (Array.isArray(reading)) {
    return { featureId, value: { case: 'strings', value: { values: reading as string[] } } };
  }
  const entries = Object.entries(reading as Record<string, number>)
    .sort((a, b) => b[1] - a[1])
    .map(([key, score]) => ({ key, score }));
  return { featureId, value: { case: 'scores', value: { entries } } };
}
