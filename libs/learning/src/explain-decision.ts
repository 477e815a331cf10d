import { roundScore } from '@pulse/offers';
import type { EligibleOffer } from '@pulse/offers';
import type { ScoredOffer } from './decide.js';
import type { BusinessLever, PropensityModel } from './learning-options.js';
import { describeEstimate } from './models.js';

/** The business lever of an offer. */
export function leverOf(eligible: EligibleOffer, lever: BusinessLever): number {
  const { priority } = eligible.offer;
  if (lever === 'none') return 1;
  return lever === 'priority' ? priority : priority * (1 + eligible.boost);
}

/** The business lever's arithmetic in words. */
function explainLever(eligible: EligibleOffer, lever: BusinessLever): string {
  const { priority } = eligible.offer;
  const value = n(leverOf(eligible, lever));
  if (lever === 'none') return 'lever 1';
  if (lever === 'priority') return `lever ${value} (priority)`;
  return `lever ${value} (priority ${n(priority)} × (1 + boost ${n(eligible.boost)}))`;
}

/** `not eligible: ...`, `capped: ...` and the like. */
export function explainDropped(verdict: string, detail: string): string {
  return `${verdict.replace('_', ' ')}: ${detail}`;
}

/** Why an offer is in the answer: its rank and its score's arithmetic. */
export function explainChosen(
  offer: ScoredOffer,
  rank: number,
  count: number,
  model: PropensityModel,
  lever: BusinessLever,
  holdout: boolean,
): string {
  const { estimate, eligible } = offer;
  const source = holdout ? 'holdout, fixed ranking' : model === 'fixed' ? 'fixed ranking' : model;
  const propensity =
    model === 'fixed'
      ? 'propensity 1'
      : `propensity ${n(estimate.sampled)} (a draw from ${describeEstimate(estimate)})`;
  return (
    `chosen at rank ${rank + 1} of ${count} (${source}): score = ${propensity} × ` +
    `value ${n(eligible.offer.value)} × ${explainLever(eligible, lever)} = ${offer.score}`
  );
}

function n(value: number): string {
  return String(roundScore(value));
}
