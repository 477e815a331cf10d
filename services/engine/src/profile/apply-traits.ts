import type { Event } from '@pulse/proto';
import type { ProfileRecord } from '@pulse/store';

/**
 * Writes an event's traits into the profile. Per top-level trait, the value
 * with the later event time wins, so out-of-order identify calls end as if
 * they had arrived in order.
 */
// TODO(identity): deep merge of nested traits and the no-type-change rule (#3).
export function applyTraits(profile: ProfileRecord, event: Event, eventTimeMs: number): boolean {
  const traits = event.traits;
  if (!traits) return false;
  let changed = false;
  for (const [key, value] of Object.entries(traits)) {
    const writtenAt = profile.traitTimesMs[key];
    if (writtenAt !== undefined && writtenAt > eventTimeMs) continue;
    profile.traits[key] = value;
    profile.traitTimesMs[key] = eventTimeMs;
    changed = true;
  }
  return changed;
}
