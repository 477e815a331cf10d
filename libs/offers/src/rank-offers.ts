import type { JsonObject } from '@bufbuild/protobuf';
import { createActivation, RuleEvaluationError } from '@pulse/rules';
import type { BoolRule, DoubleRule, ProfileView, RuleActivation } from '@pulse/rules';
import { explainOffer, roundScore } from './explain-offer.js';
import type { Candidate } from './explain-offer.js';
import { compareIds } from './offer-catalogue.js';
import type { Offer, OfferCatalogue } from './offer-catalogue.js';

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
  const offers = catalogue.forPlacement(input.placement);
  if (offers.length === 0 || input.limit === 0) {
    return [];
  }

  // Built on first use: a placement whose offers have no rules never pays for it.
  let activation: RuleActivation | undefined;
  const activate = () =>
    (activation ??= createActivation(input.view, {
      request: input.request,
      placement: input.placement,
    }));

  const candidates: Candidate[] = [];
  for (const offer of offers) {
    if (!inSchedule(offer, input.nowMs) || !audiencesAllow(offer, input.audiences)) {
      continue;
    }
    const { eligibility, boost } = offer;
    if (eligibility === undefined || isEligible(offer.id, eligibility, activate(), options)) {
      const boostOutcome =
        boost === undefined ? NO_BOOST : evalBoost(offer.id, boost, activate(), options);
      const scoreValue = roundScore(offer.priority * offer.value * (1 + boostOutcome.boost));
      candidates.push({ offer, ...boostOutcome, score: scoreValue });
    }
  }

  candidates.sort((a, b) => b.score - a.score || compareIds(a.offer.id, b.offer.id));
  return candidates.slice(0, input.limit).map((candidate) => ({
    offerId: candidate.offer.id,
    name: candidate.offer.name,
    score: candidate.score,
    reasons: explainOffer(candidate, input),
    content: candidate.offer.content,
  }));
}

function inSchedule(offer: Offer, nowMs: number): boolean {
  return offer.startMs <= nowMs && nowMs < offer.endMs;
}

function audiencesAllow(offer: Offer, audiences: ReadonlySet<string>): boolean {
  if (offer.exclude.some((id) => audiences.has(id))) {
    return false;
  }
  return offer.include.length === 0 || offer.include.some((id) => audiences.has(id));
}

function isEligible(
  offerId: string,
  eligibility: BoolRule,
  activation: RuleActivation,
  options: RankOffersOptions,
): boolean {
  const result = eligibility.eval(activation);
  if (!result.ok) {
    options.onError?.(offerId, 'eligibility', result.error);
    return false;
  }
  return result.value;
}

type BoostOutcome = Pick<Candidate, 'boost' | 'boostError'>;

const NO_BOOST: BoostOutcome = { boost: 0, boostError: undefined };

/** A failed or negative boost counts as 0 and is reported, rather than dropping the offer. */
function evalBoost(
  offerId: string,
  rule: DoubleRule,
  activation: RuleActivation,
  options: RankOffersOptions,
): BoostOutcome {
  const result = rule.eval(activation);
  if (result.ok && result.value >= 0) {
    return { boost: result.value, boostError: undefined };
  }
  const boostError = result.ok
    ? new RuleEvaluationError(rule.name, `boost must be >= 0, got ${result.value}`)
    : result.error;
  options.onError?.(offerId, 'boost', boostError);
  return { boost: 0, boostError };
}
