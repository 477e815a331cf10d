import { EventType } from '@pulse/proto';
import type { FieldPath } from './field-path.js';

/** The feature kinds a definition may name. */
export const FeatureKind = {
  Count: 'count',
  Sum: 'sum',
  Min: 'min',
  Max: 'max',
  DistinctCount: 'distinct_count',
  LastN: 'last_n',
  FirstSeen: 'first_seen',
  LastSeen: 'last_seen',
  Affinity: 'affinity',
} as const;

/** One of {@link FeatureKind}'s values, e.g. `'count'`. */
export type FeatureKind = (typeof FeatureKind)[keyof typeof FeatureKind];

/** Event types a definition may list under `types`, by their tracking-spec name. */
export const EVENT_TYPE_NAMES = {
  track: EventType.TRACK,
  identify: EventType.IDENTIFY,
  page: EventType.PAGE,
  screen: EventType.SCREEN,
  group: EventType.GROUP,
  alias: EventType.ALIAS,
} as const;

interface DefinitionBase {
  /** Unique id, `[a-z][a-z0-9_]*`; also the key of its state and reading. */
  readonly id: string;
  /** Track event names listened to; `null` when not filtered by name. */
  readonly events: ReadonlySet<string> | null;
  /** Event types listened to; `null` when not filtered by type. */
  readonly types: ReadonlySet<EventType> | null;
  /** Whether each line item of `commerce.products` contributes separately. */
  readonly each: boolean;
  /** Window length; `null` for lifetime. */
  readonly windowMs: number | null;
  /** Bucket length for a windowed feature; `null` for lifetime. */
  readonly bucketMs: number | null;
  /**
   * Hash of everything that gives stored state its meaning. State written
   * under another fingerprint is ignored and replaced.
   */
  readonly fingerprint: number;
}

/** count, sum, min, max: one number per bucket of event time. */
export interface NumberDefinition extends DefinitionBase {
  readonly kind: 'count' | 'sum' | 'min' | 'max';
  /** The value read per event or line item; `null` only for a plain count. */
  readonly value: FieldPath | null;
}

/** distinct_count: the set of values seen per bucket of event time. */
export interface DistinctCountDefinition extends DefinitionBase {
  readonly kind: 'distinct_count';
  readonly value: FieldPath;
}

/** The kinds kept in buckets of event time. */
export type BucketedDefinition = NumberDefinition | DistinctCountDefinition;

/** last_n: the n newest values by event time. */
export interface LastNDefinition extends DefinitionBase {
  readonly kind: 'last_n';
  readonly n: number;
  readonly value: FieldPath;
}

/** first_seen and last_seen: the earliest or latest matching event time. */
export interface SeenDefinition extends DefinitionBase {
  readonly kind: 'first_seen' | 'last_seen';
}

/** affinity: a score per key that halves every `halfLifeMs` of event time. */
export interface AffinityDefinition extends DefinitionBase {
  readonly kind: 'affinity';
  readonly key: FieldPath;
  /** Weight per contribution; `null` means 1. */
  readonly weight: FieldPath | null;
  readonly halfLifeMs: number;
  readonly maxKeys: number;
}

/** One compiled, immutable feature definition. */
export type FeatureDefinition =
  | NumberDefinition
  | DistinctCountDefinition
  | LastNDefinition
  | SeenDefinition
  | AffinityDefinition;

/** A validated set of feature definitions, in document order. */
export interface FeatureDefinitions {
  readonly features: readonly FeatureDefinition[];
  readonly byId: ReadonlyMap<string, FeatureDefinition>;
}
