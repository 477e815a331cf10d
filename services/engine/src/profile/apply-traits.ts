import type { Event } from '@pulse/proto';
import type { ProfileRecord } from '@pulse/store';
import { mergeTraits } from './trait-merge.js';

/**
 * Writes an event's traits into the profile by the rules of trait-merge.ts:
 * deep, latest event time per leaf, never a change of type. Out-of-order
 * identify calls end as if they had arrived in event-time order. Returns the
 * number of leaves refused for changing type.
 */
export function applyTraits(profile: ProfileRecord, event: Event, eventTimeMs: number): number {
  if (!event.traits) return 0;
  const target = { traits: profile.traits, timesMs: profile.traitTimesMs };
  return mergeTraits(target, event.traits, eventTimeMs).conflicts;
}
