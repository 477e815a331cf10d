import type { FeatureReading } from '@pulse/rules';

/** How a numeric feature becomes one entry of the context vector. */
export const CONTEXT_TRANSFORMS = {
  /** `log(1 + max(v, 0))`: for counts and sums, whose spread is wide and skewed. */
  log1p: 'log1p',
  /** `v` as read: for values already on a small scale (rates, shares, flags). */
  identity: 'identity',
} as const;

/** A {@link ContextFeature} transform. */
export type ContextTransform = (typeof CONTEXT_TRANSFORMS)[keyof typeof CONTEXT_TRANSFORMS];

/** One profile feature used by the contextual model. */
export interface ContextFeature {
  /** The feature id, as read by `readFeatures` (a number reading). */
  feature: string;
  /** @default 'log1p' */
  transform?: ContextTransform;
  /** The transformed value is divided by this, to bring it near [0, 1]. @default 1 */
  divideBy?: number;
  /** The entry is clipped to at most this, after dividing. @default 10 */
  max?: number;
}

/** A {@link ContextFeature} with its defaults applied. */
export type ResolvedContextFeature = Readonly<Required<ContextFeature>>;

const DEFAULT_MAX = 10;

/** Validates and defaults a list of context features; `field` names the list in errors. */
export function resolveContextFeatures(
  features: readonly ContextFeature[],
  field: string,
): readonly ResolvedContextFeature[] {
  const seen = new Set<string>();
  return Object.freeze(
    features.map((spec, i) => {
      const at = `${field}[${i}]`;
      if (typeof spec.feature !== 'string' || spec.feature === '' || seen.has(spec.feature)) {
        throw new TypeError(`'${at}.feature' must be a non-empty, unique feature id`);
      }
      seen.add(spec.feature);
      const transform = spec.transform ?? 'log1p';
      if (!Object.values(CONTEXT_TRANSFORMS).includes(transform)) {
        throw new TypeError(`'${at}.transform' must be 'log1p' or 'identity'`);
      }
      const divideBy = spec.divideBy ?? 1;
      const max = spec.max ?? DEFAULT_MAX;
      if (!(divideBy > 0) || !Number.isFinite(divideBy)) {
        throw new RangeError(`'${at}.divideBy' must be a finite number > 0`);
      }
      if (!(max > 0)) {
        throw new RangeError(`'${at}.max' must be > 0`);
      }
      return Object.freeze({ feature: spec.feature, transform, divideBy, max });
    }),
  );
}

/**
 * The context vector of a profile: a bias of 1 first, then one entry per
 * context feature. A feature that is missing or not a number counts as 0,
 * so a profile with no history (or whose personal data may not be used)
 * gets `[1, 0, ..., 0]`.
 */
export function buildContextVector(
  features: readonly ResolvedContextFeature[],
  readings: Readonly<Record<string, FeatureReading>>,
): number[] {
  const vector = [1];
  for (const spec of features) {
    const reading = readings[spec.feature];
    const raw = typeof reading === 'number' && Number.isFinite(reading) ? reading : 0;
    const value = spec.transform === 'log1p' ? Math.log1p(Math.max(raw, 0)) : raw;
    vector.push(Math.max(-spec.max, Math.min(value / spec.divideBy, spec.max)));
  }
  return vector;
}
