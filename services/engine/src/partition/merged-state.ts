import { create, toBinary } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { mergeStates } from '@pulse/features';
import type { FeatureDefinitions } from '@pulse/features';
import { rawSubject } from '@pulse/nats';
import { EventSchema, EventType } from '@pulse/proto';
import type { Event } from '@pulse/proto';
import type { ProfileRecord, PulseStore } from '@pulse/store';
import { pack, unpack } from 'msgpackr';
import { PROFILE_ID_TYPE } from '../profile/find-profile.js';
import type { ProfileCache } from '../profile/resolve-profile.js';
import { mergeTraits } from '../profile/trait-merge.js';
import type { Ownership } from './ownership.js';

/** The source (and subject token) of merged-state events on the raw stream. */
export const MERGED_STATE_SOURCE = 'pulse-merges';

/** The message id of the merged state of one absorbed profile. */
function mergedStateId(absorbedId: string): string {
  return `merged-state:${absorbedId}`;
}

/**
 * Records, in the caller's transaction, that the absorbed profile's state
 * was folded in here, so that a copy (sent by its owner, or again by a new
 * owner rebuilding its partition) is dropped as a duplicate instead of
 * counted twice. Unlike other message ids these marks are never pruned: a
 * partition can be rebuilt from the stream at any time.
 */
export function markMergedStateApplied(store: PulseStore, absorbedId: string): void {
  store.dedupe.putSync(mergedStateId(absorbedId), Date.now());
}

/**
 * Copies the marks of {@link markMergedStateApplied} from a rebuilt store,
 * for the absorbed profiles now held by a profile `copied` keeps: the
 * rebuild folded their state in. Marks of the others stay out, or a state
 * still on its way to one of this engine's other profiles would be dropped.
 */
export function copyMergedStateMarks(
  from: PulseStore,
  into: PulseStore,
  copied: (holderId: string) => boolean,
): void {
  const prefix = mergedStateId('');
  for (const { key, value } of from.dedupe.getRange({ start: prefix })) {
    if (!key.startsWith(prefix)) break;
    const holder = currentProfile(from, new Map(), key.slice(prefix.length));
    if (holder && copied(holder.id)) into.dedupe.putSync(key, value);
  }
}

/** Most merges followed from the named survivor to the profile that holds it now. */
const MAX_MERGE_HOPS = 64;

/** What travels from the absorbed profile's owner to the survivor's. */
interface ExportedState {
  traits: JsonObject;
  traitTimesMs: Record<string, number>;
  features: Record<string, unknown>;
  firstSeenMs: number;
  /**
   * Profiles merged into the absorbed one whose state it already holds: a
   * copy of theirs arriving later must not count again.
   */
  includes?: string[];
}

/**
 * Queues, in the caller's transaction, the state of `absorbed` for the
 * engine that owns `survivorId`: an event on the raw stream, published
 * through the outbox. Its message id names the absorbed profile, so a copy
 * sent again (after a crash, or by a new owner rebuilding the partition) is
 * dropped by every engine's dedupe index.
 */
export function exportMergedState(
  store: PulseStore,
  absorbed: ProfileRecord,
  survivorId: string,
  atMs: number,
): void {
  const includes = (absorbed.merges ?? [])
    .map((m) => m.absorbedId)
    .filter((id) => store.isDuplicate(mergedStateId(id)));
  const state: ExportedState = {
    traits: absorbed.traits,
    traitTimesMs: absorbed.traitTimesMs,
    features: absorbed.features,
    firstSeenMs: absorbed.firstSeenMs,
    includes,
  };
  const event = create(EventSchema, {
    messageId: mergedStateId(absorbed.id),
    type: EventType.MERGED_STATE,
    timestamp: timestampFromMs(atMs),
    receivedAt: timestampFromMs(atMs),
    source: MERGED_STATE_SOURCE,
    identifiers: [{ type: PROFILE_ID_TYPE, value: survivorId }],
    mergedState: { absorbedId: absorbed.id, survivorId, state: pack(state) },
  });
  store.appendOutbox(rawSubject(MERGED_STATE_SOURCE), toBinary(EventSchema, event));
}

/**
 * Folds a merged state into the profile now holding the survivor (followed
 * through later merges) when this engine owns it; other engines ignore it,
 * and so does everyone once the survivor was deleted. Returns the profile
 * changed, and the trait leaves refused for changing type.
 */
export function applyMergedState(
  store: PulseStore,
  cache: ProfileCache,
  ownership: Ownership,
  features: FeatureDefinitions,
  event: Event,
): { profile: ProfileRecord | undefined; traitConflicts: number } {
  const merged = event.mergedState;
  const profile = merged ? currentProfile(store, cache, merged.survivorId) : undefined;
  if (!merged || !profile || !ownership.owns(profile.id)) {
    return { profile: undefined, traitConflicts: 0 };
  }
  const state = unpack(merged.state) as ExportedState;
  const target = { traits: profile.traits, timesMs: profile.traitTimesMs };
  const { conflicts } = mergeTraits(target, state.traits, state.firstSeenMs, state.traitTimesMs);
  mergeStates(profile.features as never, state.features as never, features);
  for (const id of state.includes ?? []) markMergedStateApplied(store, id);
  cache.set(profile.id, profile);
  return { profile, traitConflicts: conflicts };
}

/** The profile `profileId` names now: itself, or the one it was merged into. */
function currentProfile(
  store: PulseStore,
  cache: ProfileCache,
  profileId: string,
): ProfileRecord | undefined {
  let id: string | undefined = profileId;
  for (let hop = 0; id !== undefined && hop <= MAX_MERGE_HOPS; hop += 1) {
    const profile = cache.get(id) ?? store.getProfile(id);
    if (profile) return profile;
    id = store.profileIdOf(PROFILE_ID_TYPE, id);
  }
  return undefined;
}
