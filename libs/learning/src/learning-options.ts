import { resolveContextFeatures } from './context-vector.js';
import type { ContextFeature, ResolvedContextFeature } from './context-vector.js';
import type { HoldoutOptions } from './holdout.js';
import type { BetaPrior } from './models.js';

/** How propensity is estimated in a placement. */
export const PROPENSITY_MODELS = {
  /** Beta-Bernoulli Thompson sampling per offer: no profile features. */
  beta: 'beta',
  /** Linear Thompson sampling over the profile's context vector. */
  linear: 'linear',
  /** Propensity 1 for every offer: the fixed ranking. */
  fixed: 'fixed',
} as const;

/** One of {@link PROPENSITY_MODELS}. */
export type PropensityModel = (typeof PROPENSITY_MODELS)[keyof typeof PROPENSITY_MODELS];

/** The business lever multiplied into the score. */
export const BUSINESS_LEVERS = {
  /** `priority × (1 + boost)`, so that the fixed model is exactly the fixed ranking. */
  priorityBoost: 'priority_boost',
  /** `priority` alone. */
  priority: 'priority',
  /** 1: propensity × value only. */
  none: 'none',
} as const;

/** One of {@link BUSINESS_LEVERS}. */
export type BusinessLever = (typeof BUSINESS_LEVERS)[keyof typeof BUSINESS_LEVERS];

/** The most a temperature may be: past 2, draws stray too far from what was learned. */
export const MAX_TEMPERATURE = 2;

/** How one placement decides. */
export interface PlacementOptions {
  /** @default 'beta' */
  model?: PropensityModel;
  /** @default 'priority_boost' */
  lever?: BusinessLever;
  /** Most offers per answer. @default 1 */
  limit?: number;
  /** Whether one answer may hold two offers of the same group. @default false */
  allowSameGroup?: boolean;
  /**
   * Scales each draw's distance from the posterior mean: 0 is greedy, 1 is
   * plain Thompson sampling, at most {@link MAX_TEMPERATURE}. @default 1
   */
  temperature?: number;
  /**
   * The largest share of learned decisions whose first offer may differ from
   * the greedy first offer; past it the greedy ranking is used. @default 1
   */
  maxExploreShare?: number;
  /** @default no holdout */
  holdout?: HoldoutOptions;
}

/** Options of the learning and arbitration layer. */
export interface LearningOptions {
  /** The profile features of the contextual model. @default [] (bias only) */
  context?: ContextFeature[];
  /** The Beta prior of every offer. @default { successes: 1, failures: 1 } */
  prior?: BetaPrior;
  /** Beta priors by offer id, overriding `prior`. @default {} */
  priors?: Record<string, BetaPrior>;
  /** The ridge (prior precision) of the linear model. @default 1 */
  ridge?: number;
  /** The posterior scale of linear Thompson draws. @default 0.25 */
  noise?: number;
  /** How long after a decision its feedback counts, by event time, ms. @default 1 day */
  attributionWindowMs?: number;
  /** The feedback that counts as the reward. @default 'clicked' */
  rewardOn?: 'clicked' | 'converted';
  /** Options by placement. */
  placements?: Record<string, PlacementOptions>;
  /** For placements not listed. @default the PlacementOptions defaults */
  defaultPlacement?: PlacementOptions;
}

/** {@link PlacementOptions} validated and defaulted. */
export type ResolvedPlacementOptions = Readonly<Required<Omit<PlacementOptions, 'holdout'>>> & {
  readonly holdout: Readonly<Required<HoldoutOptions>> | undefined;
};

/** {@link LearningOptions} validated, defaulted and frozen. */
export interface ResolvedLearningOptions {
  readonly context: readonly ResolvedContextFeature[];
  /** The context feature ids, in order: what learner states are built for. */
  readonly contextIds: readonly string[];
  readonly prior: Readonly<BetaPrior>;
  readonly priors: Readonly<Record<string, Readonly<BetaPrior>>>;
  readonly ridge: number;
  readonly noise: number;
  readonly attributionWindowMs: number;
  readonly rewardOn: 'clicked' | 'converted';
  readonly placements: Readonly<Record<string, ResolvedPlacementOptions>>;
  readonly defaultPlacement: ResolvedPlacementOptions;
}

const DAY_MS = 86_400_000;

/** Validates and defaults learning options; throws `TypeError`/`RangeError` naming the field. */
export function resolveLearningOptions(options: LearningOptions = {}): ResolvedLearningOptions {
  const context = resolveContextFeatures(options.context ?? [], 'context');
  const placements: Record<string, ResolvedPlacementOptions> = {};
  for (const [name, placement] of Object.entries(options.placements ?? {})) {
    placements[name] = resolvePlacement(placement, `placements.${name}`);
  }
  const priors: Record<string, BetaPrior> = {};
  for (const [offerId, prior] of Object.entries(options.priors ?? {})) {
    priors[offerId] = checkPrior(prior, `priors.${offerId}`);
  }
  const rewardOn = options.rewardOn ?? 'clicked';
  if (rewardOn !== 'clicked' && rewardOn !== 'converted') {
    throw new TypeError(`'rewardOn' must be 'clicked' or 'converted'`);
  }
  return Object.freeze({
    context,
    contextIds: Object.freeze(context.map((spec) => spec.feature)),
    prior: checkPrior(options.prior ?? { successes: 1, failures: 1 }, 'prior'),
    priors: Object.freeze(priors),
    ridge: positive(options.ridge ?? 1, 'ridge'),
    noise: nonNegative(options.noise ?? 0.25, 'noise'),
    attributionWindowMs: positive(options.attributionWindowMs ?? DAY_MS, 'attributionWindowMs'),
    rewardOn,
    placements: Object.freeze(placements),
    defaultPlacement: resolvePlacement(options.defaultPlacement ?? {}, 'defaultPlacement'),
  });
}

/** The options of `placement`, or the default ones. */
export function placementOptions(
  options: ResolvedLearningOptions,
  placement: string,
): ResolvedPlacementOptions {
  return options.placements[placement] ?? options.defaultPlacement;
}

function resolvePlacement(options: PlacementOptions, field: string): ResolvedPlacementOptions {
  const model = options.model ?? 'beta';
  if (!Object.values(PROPENSITY_MODELS).includes(model)) {
    throw new TypeError(`'${field}.model' must be 'beta', 'linear' or 'fixed'`);
  }
  const lever = options.lever ?? 'priority_boost';
  if (!Object.values(BUSINESS_LEVERS).includes(lever)) {
    throw new TypeError(`'${field}.lever' must be 'priority_boost', 'priority' or 'none'`);
  }
  const limit = options.limit ?? 1;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`'${field}.limit' must be a non-negative integer`);
  }
  const temperature = options.temperature ?? 1;
  if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
    throw new RangeError(`'${field}.temperature' must be within [0, ${MAX_TEMPERATURE}]`);
  }
  const maxExploreShare = options.maxExploreShare ?? 1;
  if (!(maxExploreShare >= 0 && maxExploreShare <= 1)) {
    throw new RangeError(`'${field}.maxExploreShare' must be within [0, 1]`);
  }
  return Object.freeze({
    model,
    lever,
    limit,
    allowSameGroup: options.allowSameGroup ?? false,
    temperature,
    maxExploreShare,
    holdout: options.holdout && resolveHoldout(options.holdout, `${field}.holdout`),
  });
}

function resolveHoldout(holdout: HoldoutOptions, field: string): Required<HoldoutOptions> {
  if (!(holdout.share >= 0 && holdout.share <= 1)) {
    throw new RangeError(`'${field}.share' must be within [0, 1]`);
  }
  if (typeof holdout.salt !== 'string' || holdout.salt === '') {
    throw new TypeError(`'${field}.salt' must be a non-empty string`);
  }
  const serve = holdout.serve ?? 'fixed';
  if (serve !== 'fixed' && serve !== 'nothing') {
    throw new TypeError(`'${field}.serve' must be 'fixed' or 'nothing'`);
  }
  return Object.freeze({ share: holdout.share, salt: holdout.salt, serve });
}

function checkPrior(prior: BetaPrior, field: string): BetaPrior {
  positive(prior.successes, `${field}.successes`);
  positive(prior.failures, `${field}.failures`);
  return Object.freeze({ successes: prior.successes, failures: prior.failures });
}

function positive(value: number, field: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`'${field}' must be a finite number > 0`);
  }
  return value;
}

function nonNegative(value: number, field: string): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`'${field}' must be a finite number >= 0`);
  }
  return value;
}
