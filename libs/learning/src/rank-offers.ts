import { compareIds, roundScore } from '@pulse/offers';
import type { EligibleOffer } from '@pulse/offers';
import type { DecideContext } from './decide.js';
import { leverOf } from './explain-decision.js';
import type { LearnerState } from './learner-state.js';
import type { PropensityModel, ResolvedPlacementOptions } from './learning-options.js';
import { betaEstimate, FIXED_ESTIMATE, linearEstimate } from './models.js';
import type { PropensityEstimate } from './models.js';

// Scoring and ranking of the offers a decision admitted: propensity x value
// x lever, best first, one offer per group, exploration within its cap.

/** An eligible, allowed offer with its score. */
export interface ScoredOffer {
  readonly eligible: EligibleOffer;
  readonly lever: number;
  readonly estimate: PropensityEstimate;
  /** From the sampled propensity. */
  readonly score: number;
  /** From the posterior mean. */
  readonly greedyScore: number;
}

/**
 * Takes the best offers by sampled score; when that answer starts with
 * another offer than the greedy one and the placement's deviation share is
 * spent, takes the greedy answer instead.
 */
export function select(
  scored: readonly ScoredOffer[],
  limit: number,
  learned: boolean,
  placementName: string,
  placement: ResolvedPlacementOptions,
  context: DecideContext,
): { ranking: Ranking; deviated: boolean } {
  const ranking = pick(scored, bySampledScore, limit, placement.allowSameGroup);
  if (!learned) {
    return { ranking, deviated: false };
  }
  const greedy = pick(scored, byGreedyScore, limit, placement.allowSameGroup);
  const first = ranking.chosen[0]?.eligible.offer.id;
  if (first === greedy.chosen[0]?.eligible.offer.id) {
    return { ranking, deviated: false };
  }
  return mayDeviate(context.learner, placementName, placement)
    ? { ranking, deviated: true }
    : { ranking: greedy, deviated: false };
}

export function scoreOffer(
  eligible: EligibleOffer,
  model: PropensityModel,
  x: readonly number[],
  placementName: string,
  placement: ResolvedPlacementOptions,
  context: DecideContext,
): ScoredOffer {
  const { offer } = eligible;
  const arm = context.learner.arms[placementName]?.[offer.id];
  const { temperature } = placement;
  let estimate: PropensityEstimate;
  if (model === 'beta') {
    const prior = context.options.priors[offer.id] ?? context.options.prior;
    estimate = betaEstimate(arm, prior, temperature, context.random);
  } else if (model === 'linear') {
    const { ridge, noise } = context.options;
    estimate = linearEstimate(arm, x, { ridge, noise, temperature }, context.random);
  } else {
    estimate = FIXED_ESTIMATE;
  }
  const lever = leverOf(eligible, placement.lever);
  return {
    eligible,
    lever,
    estimate,
    score: roundScore(estimate.sampled * offer.value * lever),
    greedyScore: roundScore(estimate.mean * offer.value * lever),
  };
}

// Two comparators rather than one reading `offer[key]`, which keeps the hot sort monomorphic.
function bySampledScore(a: ScoredOffer, b: ScoredOffer): number {
  return b.score - a.score || byFixedScoreThenId(a, b);
}

function byGreedyScore(a: ScoredOffer, b: ScoredOffer): number {
  return b.greedyScore - a.greedyScore || byFixedScoreThenId(a, b);
}

function byFixedScoreThenId(a: ScoredOffer, b: ScoredOffer): number {
  return (
    b.eligible.score - a.eligible.score || compareIds(a.eligible.offer.id, b.eligible.offer.id)
  );
}

export interface Ranking {
  chosen: ScoredOffer[];
  /** Offers skipped for diversity, with the chosen offer of their group. */
  sameGroupAs: Map<string, string>;
}

type Comparator = (a: ScoredOffer, b: ScoredOffer) => number;

/**
 * Offers kept in order beyond the `limit` best, for those skipped as the
 * same group: an answer of a few offers reads only the head of the order,
 * which one pass finds for less than sorting every offer.
 */
const SPARE_OFFERS = 8;

/** Takes offers in `compare` order, best first, at most `limit`, one per group unless allowed. */
function pick(
  scored: readonly ScoredOffer[],
  compare: Comparator,
  limit: number,
  allowSameGroup: boolean,
): Ranking {
  const chosen: ScoredOffer[] = [];
  const sameGroupAs = new Map<string, string>();
  const groups = new Map<string, string>();
  let order = headOf(scored, compare, limit + SPARE_OFFERS);
  for (let i = 0; i < order.length && chosen.length < limit; i++) {
    const offer = order[i]!;
    const { id, group } = offer.eligible.offer;
    const holder = group === undefined ? undefined : groups.get(group);
    if (holder !== undefined && !allowSameGroup) {
      sameGroupAs.set(id, holder);
    } else {
      chosen.push(offer);
      if (group !== undefined && holder === undefined) groups.set(group, id);
    }
    // The head ran out before the answer filled: go on in the full order,
    // which starts with the same offers (the order is total, ids differ).
    if (i === order.length - 1 && order.length < scored.length) {
      order = [...scored].sort(compare);
    }
  }
  return { chosen, sameGroupAs };
}

/** The first `size` offers in `compare` order, in that order. */
function headOf(scored: readonly ScoredOffer[], compare: Comparator, size: number): ScoredOffer[] {
  const head: ScoredOffer[] = [];
  if (size <= 0) return head;
  for (const offer of scored) {
    if (head.length === size) {
      if (compare(offer, head[size - 1]!) >= 0) continue;
      head.pop();
    }
    let j = head.length;
    head.push(offer);
    for (; j > 0 && compare(offer, head[j - 1]!) < 0; j--) head[j] = head[j - 1]!;
    head[j] = offer;
  }
  return head;
}

/** Whether one more deviation keeps the placement's deviation share within its cap. */
function mayDeviate(
  learner: LearnerState,
  placementName: string,
  placement: ResolvedPlacementOptions,
): boolean {
  const counts = learner.exploration[placementName] ?? { decisions: 0, deviations: 0 };
  return counts.deviations + 1 <= placement.maxExploreShare * (counts.decisions + 1);
}
