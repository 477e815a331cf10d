import { roundScore } from '@pulse/offers';
import type { EligibleOffer } from '@pulse/offers';
import type { ScoredOffer } from './decide.js';
import type { BusinessLever, PropensityModel } from './learning-options.js';

/** The business lever of an offer and its arithmetic in words. */
export function explainLever(
  eligible: EligibleOffer,
  lever: BusinessLever,
): { lever: number; words: string } {
  const { priority } = eligible.offer;
  if (lever === 'none') return { lever: 1, words: 'lever 1' };
  if (lever === 'priority') return { lever: priority, words: `lever ${n(priority)} (priority)` };
  const value = priority * (1 + eligible.boost);
  const words = `lever ${n(value)} (priority ${n(priority)} × (1 + boost ${n(eligible.boost)}))`;
  return { lever: value, words };
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
  holdout: boolean,
): string {
  const { estimate, eligible } = offer;
  const source = holdout ? 'holdout, fixed ranking' : model === 'fixed' ? 'fixed ranking' : model;
  const propensity =
    model === 'fixed' ? 'propensity 1' : `propensity ${n(estimate.sampled)} (${estimate.basis})`;
  return (
    `chosen at rank ${rank + 1} of ${count} (${source}): score = ${propensity} × ` +
    `value ${n(eligible.offer.value)} × ${offer.leverWords} = ${offer.score}`
  );
}

function n(value: number): string {
  return String(roundScore(value));
}
