/**
 * Rolling behavioral features per profile: definitions, bucketed mergeable
 * state, and reads at any instant. See README.md for the window semantics.
 */

/** Folds one event into a profile's feature states, bucketed by event time. */
export { applyEvent } from './apply-event.js';
/**
 * Compiled feature definitions: one type per kind family, the immutable set,
 * and the closed set of kinds.
 */
export type {
  AffinityDefinition,
  BucketedDefinition,
  DistinctCountDefinition,
  FeatureDefinition,
  FeatureDefinitions,
  LastNDefinition,
  NumberDefinition,
  SeenDefinition,
} from './definitions.js';
/** The feature kinds a definition may name, as an `as const` object and union type. */
export { FeatureKind } from './definitions.js';
/** Errors raised for bad definitions and for events without event time. */
export { DefinitionError, EventTimeMissingError, isDefinitionError } from './errors.js';
/** The feature id and offending value a {@link DefinitionError} carries. */
export type { DefinitionErrorDetails } from './errors.js';
/** Event time of an event in epoch ms, the instant every bucket is chosen by. */
export { eventTimeMs } from './event-time.js';
/** Merges two profiles' feature states without replaying their events. */
export { mergeStates } from './merge.js';
/** When a windowed reading next changes by the passage of time alone. */
export { nextChangeMs } from './next-change.js';
/** Parses and validates feature definitions from YAML text or a plain object. */
export { parseFeatureDefinitions } from './parse-definitions.js';
/** Reads every defined feature at an instant. */
export { readFeatures } from './read-features.js';
/** What {@link readFeatures} returns for one feature. */
export type { FeatureReading } from './read-features.js';
/** A fresh, empty set of feature states for a new profile. */
export { emptyStates } from './state.js';
/**
 * Stored per-feature state shapes: plain, msgpack-friendly data keyed by
 * feature id.
 */
export type {
  AffinityState,
  FeatureState,
  FeatureStates,
  HashBucketsState,
  LastNState,
  NumberBucketsState,
  SeenState,
} from './state.js';
/**
 * The default bucket size for a window length, the bucket of an instant, and
 * how far before the newest event reads stay exact.
 */
export { READ_GRACE_MS, bucketIndex, defaultBucketMs } from './window.js';
/** Durations written like `30m`, `1d`, `7d` in definition files. */
export { formatDurationMs, parseDurationMs } from './duration.js';
