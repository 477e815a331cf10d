import type { JsonObject } from '@bufbuild/protobuf';
import type { ProfileView, RuleEvaluationError } from '@pulse/rules';
import { explainOffer } from './explain-offer.js';
import { compareIds } from './offer-catalogue.js';
import type { OfferCatalogue } from './offer-catalogue.js';
import { screenOffers } from './screen-offers.js';
import type { EligibleOffer } from './screen-offers.js';

/** What one next-best-offer decision is asked for. */
export interface RankOffersInput {
  placement: string;
  view: ProfileView;
  /** The audiences the profile is in now. */
  audiences: ReadonlySet<string>;
  /** The decision request context, seen by rules as `request`. @default {} */
  request?: JsonObject;
  /** The instant the schedule is checked at, epoch ms. */
  nowMs: number;
  /** Most offers to return; 0 returns none. */
  limit: number;
}

/** One offer chosen for a decision, with the reasons in plain words. */
export interface RankedOffer {
  offerId: string;
  name: string;
  /** `priority × value × (1 + boost)`, rounded to 6 decimal places. */
  score: number;
  reasons: string[];
  /** The offer's content as defined (frozen). */
  content: JsonObject;
}

/** Options for {@link rankOffers}. */
export interface RankOffersOptions {
  /**
   * Called when an offer's eligibility or boost rule fails on this profile.
   * A failed eligibility skips the offer; a failed boost counts as 0.
   * @default errors are ignored
   */
  onError?: (offerId: string, rule: 'eligibility' | 'boost', error: RuleEvaluationError) => void;
}

/**
 * Ranks the offers of one placement for one profile: filters by schedule,
 * audiences and eligibility, scores the rest and returns the best `limit`,
 * by score descending then offer id ascending.
 */
export function rankOffers(
  catalogue: OfferCatalogue,
  input: RankOffersInput,
  options: RankOffersOptions = {},
): RankedOffer[] {
  if (!Number.isInteger(input.limit) || input.limit < 0) {
    throw new RangeError(`'limit' must be a non-negative integer, got ${input.limit}`);
  }
  if (input.limit === 0) {
    return [];
  }

  const candidates = screenOffers(catalogue, input, options).filter(
    (screened): screened is EligibleOffer => screened.status === 'eligible',
  );
  candidates.sort((a, b) => b.score - a.score || compareIds(a.offer.id, b.offer.id));
  return candidates.slice(0, input.limit).map((candidate) => ({
    offerId: candidate.offer.id,
    name: candidate.offer.name,
    score: candidate.score,
    reasons: explainOffer(candidate, input),
    content: candidate.offer.content,
  }));
}
