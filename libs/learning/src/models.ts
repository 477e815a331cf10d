import type { ArmStats } from './learner-state.js';
import { sampleBeta } from './random.js';
import type { Random } from './random.js';

/** A Beta prior in pseudo-counts: Beta(successes, failures). */
export interface BetaPrior {
  successes: number;
  failures: number;
}

/** What an estimate was drawn from, kept as numbers so that words cost nothing until asked for. */
export type EstimateBasis =
  | { model: 'beta'; alpha: number; beta: number }
  | { model: 'linear'; features: number; estimate: number; spread: number }
  | { model: 'fixed' };

/** A propensity estimate for one offer: a draw for exploration and the posterior mean. */
export interface PropensityEstimate {
  /** The Thompson draw, scaled by the temperature around the mean, in [0, 1]. */
  sampled: number;
  /** The posterior mean: what a greedy choice ranks by. */
  mean: number;
  basis: EstimateBasis;
}

/** The propensity 1 of the fixed ranking. */
export const FIXED_ESTIMATE: PropensityEstimate = Object.freeze({
  sampled: 1,
  mean: 1,
  basis: Object.freeze({ model: 'fixed' as const }),
});

/** An estimate's basis in words, e.g. `Beta(13, 95), mean 0.12`. */
export function describeEstimate(estimate: PropensityEstimate): string {
  const { basis } = estimate;
  switch (basis.model) {
    case 'beta':
      return `Beta(${round(basis.alpha)}, ${round(basis.beta)}), mean ${round(estimate.mean)}`;
    case 'linear':
      return (
        `linear model on ${basis.features} features, ` +
        `estimate ${round(basis.estimate)} ± ${round(basis.spread)}`
      );
    case 'fixed':
      return 'fixed ranking';
  }
}

/**
 * Beta-Bernoulli Thompson sampling: the posterior is
 * Beta(prior.successes + successes, prior.failures + failures).
 */
export function betaEstimate(
  arm: ArmStats | undefined,
  prior: BetaPrior,
  temperature: number,
  random: Random,
): PropensityEstimate {
  const alpha = prior.successes + (arm?.successes ?? 0);
  const beta = prior.failures + (arm?.failures ?? 0);
  const mean = alpha / (alpha + beta);
  const draw = temperature === 0 ? mean : sampleBeta(random, alpha, beta);
  const sampled = clamp01(mean + temperature * (draw - mean));
  return { sampled, mean, basis: { model: 'beta', alpha, beta } };
}

/**
 * Linear Thompson sampling with a ridge prior: A = ridge·I + Σ x·xᵀ,
 * θ̂ = A⁻¹ Σ r·x, and a draw of θ·x is θ̂·x + noise·temperature·z·√(xᵀA⁻¹x)
 * with z standard normal (exactly the draw of θ ~ N(θ̂, noise²·A⁻¹) seen
 * through x). Estimates are clipped to [0, 1].
 */
export function linearEstimate(
  arm: ArmStats | undefined,
  x: readonly number[],
  settings: { ridge: number; noise: number; temperature: number },
  random: Random,
): PropensityEstimate {
  const d = x.length;
  const lower = factorOf(arm, d, settings.ridge);
  const theta = arm === undefined ? new Float64Array(d) : solveSpd(lower, arm.xr, d);
  const whitened = forwardSolve(lower, x, d);
  let estimate = 0;
  let variance = 0;
  for (let i = 0; i < d; i++) {
    estimate += (theta[i] as number) * (x[i] as number);
    variance += (whitened[i] as number) ** 2;
  }
  const spread = settings.noise * settings.temperature * Math.sqrt(variance);
  const draw = spread === 0 ? estimate : estimate + spread * random.normal();
  const mean = clamp01(estimate);
  return {
    sampled: clamp01(draw),
    mean,
    basis: { model: 'linear', features: d - 1, estimate: mean, spread },
  };
}

interface CachedFactor {
  /** xx[0], the number of trials (bias × bias): it grows with every change to xx. */
  trials: number;
  ridge: number;
  lower: Float64Array;
}

// Factors by the arm's xx array, so that an arm without new trials is not
// factored again on every decision. A state decoded anew gets new arrays.
const factors = new WeakMap<readonly number[], CachedFactor>();

function factorOf(arm: ArmStats | undefined, d: number, ridge: number): Float64Array {
  if (arm === undefined || arm.xx.length !== d * d) {
    return choleskyWithRidge(arm?.xx, d, ridge);
  }
  const trials = arm.xx[0] as number;
  const cached = factors.get(arm.xx);
  if (cached !== undefined && cached.trials === trials && cached.ridge === ridge) {
    return cached.lower;
  }
  const lower = choleskyWithRidge(arm.xx, d, ridge);
  factors.set(arm.xx, { trials, ridge, lower });
  return lower;
}

/** The lower Cholesky factor L of ridge·I + xx (row-major d × d), so that L·Lᵀ = A. */
function choleskyWithRidge(xx: readonly number[] | undefined, d: number, ridge: number) {
  const lower = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = (xx?.[i * d + j] ?? 0) + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) {
        sum -= (lower[i * d + k] as number) * (lower[j * d + k] as number);
      }
      // A is ridge·I plus a sum of outer products, so its pivots stay >= ridge > 0.
      lower[i * d + j] = i === j ? Math.sqrt(sum) : sum / (lower[j * d + j] as number);
    }
  }
  return lower;
}

/** y with L·y = b. */
function forwardSolve(lower: Float64Array, b: readonly number[], d: number): Float64Array {
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (lower[i * d + k] as number) * (y[k] as number);
    y[i] = sum / (lower[i * d + i] as number);
  }
  return y;
}

/** θ with L·Lᵀ·θ = b. */
function solveSpd(lower: Float64Array, b: readonly number[], d: number): Float64Array {
  const y = forwardSolve(lower, b, d);
  const theta = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < d; k++) sum -= (lower[k * d + i] as number) * (theta[k] as number);
    theta[i] = sum / (lower[i * d + i] as number);
  }
  return theta;
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
