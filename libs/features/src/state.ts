/**
 * Stored feature state. Everything here is plain data (numbers, strings,
 * arrays, plain objects) so it encodes with msgpack as is. Each state carries
 * the fingerprint of the definition that wrote it; a state whose fingerprint
 * differs from the current definition is treated as absent.
 */
interface StateBase {
  /** {@link FeatureDefinition.fingerprint} of the writer. */
  fingerprint: number;
}

/**
 * count, sum, min, max: parallel arrays, `buckets` ascending and unique,
 * `values[i]` the aggregate of bucket `buckets[i]`. A lifetime feature keeps
 * one cell at bucket 0.
 */
export interface NumberBucketsState extends StateBase {
  buckets: number[];
  values: number[];
}

/**
 * distinct_count: per bucket, the ascending unique 32-bit FNV-1a hashes of the
 * values seen in it, stored as consecutive runs of one flat `hashes` array
 * (`sizes[i]` long for bucket `buckets[i]`) so a read scans contiguous memory.
 * A lifetime feature keeps one run at bucket 0.
 */
export interface HashBucketsState extends StateBase {
  buckets: number[];
  sizes: number[];
  hashes: number[];
}

/**
 * last_n: up to n entries ordered newest first by event time, ties broken by
 * value in descending code-unit order so that arrival order never matters.
 */
export interface LastNState extends StateBase {
  values: string[];
  timesMs: number[];
}

/** first_seen / last_seen: the extreme event time seen, epoch ms. */
export interface SeenState extends StateBase {
  timeMs: number;
}

/**
 * affinity: per key (ascending), a score valid at `refTimesMs[i]`; the score
 * at a later instant t is `scores[i] · 2^(−(t − refTimesMs[i]) / halfLife)`.
 */
export interface AffinityState extends StateBase {
  keys: string[];
  scores: number[];
  refTimesMs: number[];
}

/** The state of one feature; which shape follows from the feature's kind. */
export type FeatureState =
  NumberBucketsState | HashBucketsState | LastNState | SeenState | AffinityState;

/**
 * All feature state of one profile, keyed by feature id. Plain data, safe to
 * encode with msgpack; features without state yet are simply absent.
 */
export type FeatureStates = Record<string, FeatureState>;

/** A fresh, empty set of feature states for a new profile. */
export function emptyStates(): FeatureStates {
  return {};
}

/**
 * The state stored for `id` if the definition with `fingerprint` wrote it.
 * An inherited member such as `constructor` has no numeric fingerprint, so it
 * reads as absent too (ids cannot start with `_`, which rules out `__proto__`).
 */
export function stateOf<S extends FeatureState>(
  states: FeatureStates,
  id: string,
  fingerprint: number,
): S | undefined {
  const state = states[id];
  return state !== undefined && state.fingerprint === fingerprint ? (state as S) : undefined;
}
