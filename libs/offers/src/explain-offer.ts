import type { RuleEvaluationError } from '@pulse/rules';
import type { Offer } from './offer-catalogue.js';

/** An offer that passed every filter, with what went into its score. */
export interface Candidate {
  readonly offer: Offer;
  /** The boost used in the score: 0 without a boost rule or when it failed. */
  readonly boost: number;
  readonly boostError: RuleEvaluationError | undefined;
  readonly score: number;
}

const SCORE_DECIMALS = 1e6;

/** Rounds to 6 decimal places so that float noise cannot split ties or clutter reasons. */
export function roundScore(score: number): number {
  return Math.round(score * SCORE_DECIMALS) / SCORE_DECIMALS;
}

/** The reasons an offer was chosen, in plain words, ending with the score arithmetic. */
export function explainOffer(
  candidate: Candidate,
  context: { placement: string; audiences: ReadonlySet<string> },
): string[] {
  const { offer, boost, boostError } = candidate;
  const reasons = [`placement '${context.placement}'`];

  for (const id of offer.include) {
    if (context.audiences.has(id)) {
      reasons.push(`in audience '${id}'`);
    }
  }
  for (const id of offer.exclude) {
    reasons.push(`not in audience '${id}'`);
  }
  if (offer.start !== undefined || offer.end !== undefined) {
    reasons.push(`within schedule ${offer.start ?? '(open)'} to ${offer.end ?? '(open)'}`);
  }
  if (offer.eligibility !== undefined) {
    reasons.push(`eligibility holds: ${offer.eligibility.source}`);
  }

  if (boostError !== undefined) {
    reasons.push(`boost failed, counted as 0: ${boostError.message}`);
  } else if (offer.boost !== undefined) {
    reasons.push(`boost ${formatNumber(boost)} from: ${offer.boost.source}`);
  }
  const factors = `${formatNumber(offer.priority)} × ${formatNumber(offer.value)}`;
  reasons.push(`score = ${factors} × (1 + ${formatNumber(boost)}) = ${candidate.score}`);
  return reasons;
}

function formatNumber(value: number): string {
  return String(roundScore(value));
}
