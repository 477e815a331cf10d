import type { JsonObject } from '@bufbuild/protobuf';
import { createActivation, RuleEvaluationError } from '@pulse/rules';
import type { BoolRule, DoubleRule, ProfileView, RuleActivation } from '@pulse/rules';
import { roundScore } from './explain-offer.js';
import type { Candidate } from './explain-offer.js';
import type { Offer, OfferCatalogue } from './offer-catalogue.js';

/** The profile, placement and instant that offers are screened for. */
export interface ScreenOffersInput {
  placement: string;
  view: ProfileView;
  /** The audiences the profile is in now. */
  audiences: ReadonlySet<string>;
  /** The decision request context, seen by rules as `request`. @default {} */
  request?: JsonObject;
  /** The instant the schedule is checked at, epoch ms. */
  nowMs: number;
}

/** Options for {@link screenOffers}. */
export interface ScreenOffersOptions {
  /**
   * Called when an offer's eligibility or boost rule fails on this profile.
   * A failed eligibility drops the offer; a failed boost counts as 0.
   * @default errors are ignored
   */
  onError?: (offerId: string, rule: 'eligibility' | 'boost', error: RuleEvaluationError) => void;
}

/**
 * An offer that passed the schedule, audiences and eligibility, with its
 * fixed score `priority × value × (1 + boost)`.
 */
export interface EligibleOffer extends Candidate {
  readonly status: 'eligible';
}

/** An offer dropped before scoring, with why in plain words. */
export interface DroppedOffer {
  readonly status: 'outside_schedule' | 'not_eligible';
  readonly offer: Offer;
  /** E.g. `eligibility does not hold: features.spend_30d >= 100.0`. */
  readonly reason: string;
}

/** What screening made of one offer of the placement. */
export type ScreenedOffer = EligibleOffer | DroppedOffer;

/**
 * Screens every offer of one placement for one profile, in offer id order:
 * schedule first, then audiences, then the eligibility rule. Eligible offers
 * carry their fixed score; dropped ones say why, for explanations.
 */
export function screenOffers(
  catalogue: OfferCatalogue,
  input: ScreenOffersInput,
  options: ScreenOffersOptions = {},
): ScreenedOffer[] {
  // Built on first use: a placement whose offers have no rules never pays for it.
  let activation: RuleActivation | undefined;
  const activate = () =>
    (activation ??= createActivation(input.view, {
      request: input.request,
      placement: input.placement,
    }));

  return catalogue.forPlacement(input.placement).map((offer): ScreenedOffer => {
    if (!inSchedule(offer, input.nowMs)) {
      const schedule = `${offer.start ?? '(open)'} to ${offer.end ?? '(open)'}`;
      return { status: 'outside_schedule', offer, reason: `scheduled ${schedule}` };
    }
    const audienceReason = audienceRefusal(offer, input.audiences);
    if (audienceReason !== undefined) {
      return { status: 'not_eligible', offer, reason: audienceReason };
    }
    const { eligibility, boost } = offer;
    if (eligibility !== undefined) {
      const refusal = eligibilityRefusal(offer.id, eligibility, activate(), options);
      if (refusal !== undefined) {
        return { status: 'not_eligible', offer, reason: refusal };
      }
    }
    const outcome =
      boost === undefined ? NO_BOOST : evalBoost(offer.id, boost, activate(), options);
    const score = roundScore(offer.priority * offer.value * (1 + outcome.boost));
    return { status: 'eligible', offer, ...outcome, score };
  });
}

function inSchedule(offer: Offer, nowMs: number): boolean {
  return offer.startMs <= nowMs && nowMs < offer.endMs;
}

function audienceRefusal(offer: Offer, audiences: ReadonlySet<string>): string | undefined {
  const excluded = offer.exclude.find((id) => audiences.has(id));
  if (excluded !== undefined) {
    return `in excluded audience '${excluded}'`;
  }
  if (offer.include.length > 0 && !offer.include.some((id) => audiences.has(id))) {
    return `in none of the audiences ${offer.include.map((id) => `'${id}'`).join(', ')}`;
  }
  return undefined;
}

function eligibilityRefusal(
  offerId: string,
  eligibility: BoolRule,
  activation: RuleActivation,
  options: ScreenOffersOptions,
): string | undefined {
  const result = eligibility.eval(activation);
  if (!result.ok) {
    options.onError?.(offerId, 'eligibility', result.error);
    return `eligibility failed: ${result.error.message}`;
  }
  return result.value ? undefined : `eligibility does not hold: ${eligibility.source}`;
}

type BoostOutcome = Pick<Candidate, 'boost' | 'boostError'>;

const NO_BOOST: BoostOutcome = { boost: 0, boostError: undefined };

/** A failed or negative boost counts as 0 and is reported, rather than dropping the offer. */
function evalBoost(
  offerId: string,
  rule: DoubleRule,
  activation: RuleActivation,
  options: ScreenOffersOptions,
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
