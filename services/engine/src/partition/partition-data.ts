import type { ProfileRecord, PulseStore } from '@pulse/store';
import { partitionOf } from './ownership.js';

/** Where the partitions an engine held last are recorded (meta database). */
const HELD_KEY = 'partitions-held';

/** Partitions whose state this LMDB holds, and out of how many. */
export interface HeldPartitions {
  count: number;
  partitions: number[];
}

/** What LMDB says this engine held when it stopped; undefined on a new store. */
export function readHeld(store: PulseStore): HeldPartitions | undefined {
  const raw = store.meta.get(HELD_KEY);
  return raw === undefined ? undefined : (JSON.parse(raw) as HeldPartitions);
}

/** Records the held partitions; call inside the transaction that changes them. */
export function writeHeld(store: PulseStore, held: HeldPartitions): void {
  const partitions = [...held.partitions].sort((a, b) => a - b);
  store.meta.putSync(HELD_KEY, JSON.stringify({ count: held.count, partitions }));
}

/**
 * Drops, inside the caller's transaction, what this engine kept of the
 * profiles in `partitions` beyond identity: traits, features, memberships
 * and re-checks. No transition is published: the profiles did not leave
 * their audiences, their new owner holds them.
 */
export function stripPartitions(
  store: PulseStore,
  count: number,
  partitions: ReadonlySet<number>,
): number {
  let stripped = 0;
  // Read the ids first: the loop writes to the database it lists.
  for (const id of Array.from(store.profileIds())) {
    if (!partitions.has(partitionOf(id, count))) continue;
    const profile = store.getProfile(id);
    if (!profile) continue;
    for (const audienceId of profile.audiences) store.setMember(audienceId, id, false);
    store.scheduleRecheck(id, profile.recheckAtMs ?? null, null);
    store.putProfile({
      ...profile,
      traits: {},
      traitTimesMs: {},
      features: {},
      audiences: [],
      recheckAtMs: null,
    });
    stripped += 1;
  }
  return stripped;
}

/**
 * Copies, inside the caller's transaction on `into`, the profiles of
 * `partitions` from a store rebuilt from the stream at the same applied
 * sequence: records with their state, memberships and re-checks.
 */
export function copyPartitions(
  from: PulseStore,
  into: PulseStore,
  count: number,
  partitions: ReadonlySet<number>,
): number {
  let copied = 0;
  for (const id of from.profileIds()) {
    if (!partitions.has(partitionOf(id, count))) continue;
    const profile: ProfileRecord | undefined = from.getProfile(id);
    if (!profile) continue;
    into.putProfile(profile);
    for (const audienceId of profile.audiences) into.setMember(audienceId, id, true);
    into.scheduleRecheck(id, null, profile.recheckAtMs ?? null);
    copied += 1;
  }
  return copied;
}
