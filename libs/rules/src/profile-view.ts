import type { JsonObject } from '@bufbuild/protobuf';

/**
 * One feature value as read at the instant of evaluation: a number for
 * count, sum and distinct count; a number or null (nothing seen yet) for min,
 * max, first seen and last seen (epoch ms); a list for last-N; a map of
 * scores for affinity.
 */
export type FeatureReading = number | null | string[] | Record<string, number>;

/** The profile as rules see it; the engine builds one per evaluation. */
export interface ProfileView {
  profileId: string;
  /** Stated attributes, e.g. `{ country: 'United Kingdom', plan: 'gold' }`. */
  traits: JsonObject;
  /** Every defined feature is present, keyed by feature name. */
  features: Record<string, FeatureReading>;
  /** Identifier type to values, e.g. `{ email: ['a@example.com'] }`. */
  identifiers: Record<string, string[]>;
  /** The instant of evaluation, epoch ms. */
  nowMs: number;
}

/** What a decision adds on top of the profile. */
export interface DecisionContext {
  /** The decision request context, seen by rules as `request`. @default {} */
  request?: JsonObject;
  /** The placement asked for, seen by rules as `placement`. @default '' */
  placement?: string;
}
