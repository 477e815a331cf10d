import type { JsonObject } from '@bufbuild/protobuf';

/**
 * What LMDB holds for one profile. Plain data, encoded with msgpack; feature
 * state is whatever `@pulse/features` keeps (mergeable, bucketed).
 */
export interface ProfileRecord {
  id: string;
  /** `[type, value]` pairs, in the order they were linked. */
  identifiers: [string, string][];
  traits: JsonObject;
  /** Event time (ms) of the last write to each top-level trait. */
  traitTimesMs: Record<string, number>;
  features: Record<string, unknown>;
  /** Audience ids in the live membership index, sorted. */
  audiences: string[];
  firstSeenMs: number;
  lastSeenMs: number;
  /** When its audiences must be evaluated again with no new event; null when never. */
  recheckAtMs: number | null;
  /** Profiles merged into this one, oldest first (absent on records from before merges were kept). */
  merges?: MergeEntry[];
}

/** One profile absorbed by another. */
export interface MergeEntry {
  absorbedId: string;
  /** Event time of the event that linked them. */
  atMs: number;
  messageId: string;
  /** `[type, value]` pairs the absorbed profile brought. */
  identifiers: [string, string][];
}

/** A new, empty profile record. */
export function emptyProfile(id: string, atMs: number): ProfileRecord {
  return {
    id,
    identifiers: [],
    traits: {},
    traitTimesMs: {},
    features: {},
    audiences: [],
    firstSeenMs: atMs,
    lastSeenMs: atMs,
    recheckAtMs: null,
    merges: [],
  };
}
