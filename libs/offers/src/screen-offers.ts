import type { JsonObject } from '@bufbuild/protobuf';
import { createActivation, RuleEvaluationError } from '@pulse/rules';
import type { BoolRule, DoubleRule, ProfileView, RuleActivation, RuleResult } from '@pulse/rules';
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
  const offers = catalogue.forPlacement(input.placement);
  const rules = new RuleResults(input);
  const screened: ScreenedOffer[] = new Array<ScreenedOffer>(offers.length);
  for (let i = 0; i < offers.length; i++) {
    screened[i] = screenOffer(offers[i]!, input, rules, options);
  }
  return screened;
}

function screenOffer(
  offer: Offer,
  input: ScreenOffersInput,
  rules: RuleResults,
  options: ScreenOffersOptions,
): ScreenedOffer {
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
    const refusal = eligibilityRefusal(offer.id, eligibility, rules, options);
    if (refusal !== undefined) {
      return { status: 'not_eligible', offer, reason: refusal };
    }
  }
  if (boost === undefined) {
    const score = roundScore(offer.priority * offer.value);
    return { status: 'eligible', offer, boost: 0, boostError: undefined, score };
  }
  return boosted(offer, boost, rules, options);
}

/**
 * The rule results of one screening. The activation is built on first use
 * (a placement whose offers have no rules never pays for it), and a result
 * is kept by expression: offers often share a rule's text, and one
 * expression over one activation yields one value. Failures are not kept,
 * since their error names each offer's own rule.
 */
class RuleResults {
  private activation: RuleActivation | undefined;
  private readonly conditions = new Map<string, boolean>();
  private readonly scores = new Map<string, number>();

  constructor(private readonly input: ScreenOffersInput) {}

  condition(rule: BoolRule): RuleResult<boolean> {
    const known = this.conditions.get(rule.source);
    if (known !== undefined) return known ? TRUE_RESULT : FALSE_RESULT;
    const result = rule.eval(this.activate());
    if (result.ok) this.conditions.set(rule.source, result.value);
    return result;
  }

  score(rule: DoubleRule): RuleResult<number> {
    const known = this.scores.get(rule.source);
    if (known !== undefined) return { ok: true, value: known };
    const result = rule.eval(this.activate());
    if (result.ok) this.scores.set(rule.source, result.value);
    return result;
  }

  private activate(): RuleActivation {
    const { input } = this;
    return (this.activation ??= createActivation(input.view, {
      request: input.request,
      placement: input.placement,
    }));
  }
}

const TRUE_RESULT: RuleResult<boolean> = Object.freeze({ ok: true, value: true });
const FALSE_RESULT: RuleResult<boolean> = Object.freeze({ ok: true, value: false });

function inSchedule(offer: Offer, nowMs: number): boolean {
  return offer.startMs <= nowMs && nowMs < offer.endMs;
}

function audienceRefusal(offer: Offer, audiences: ReadonlySet<string>): string | undefined {
  for (const id of offer.exclude) {
    if (audiences.has(id)) return `in excluded audience '${id}'`;
  }
  if (offer.include.length === 0) return undefined;
  for (const id of offer.include) {
    if (audiences.has(id)) return undefined;
  }
  return `in none of the audiences ${offer.include.map((id) => `'${id}'`).join(', ')}`;
}

function eligibilityRefusal(
  offerId: string,
  eligibility: BoolRule,
  rules: RuleResults,
  options: ScreenOffersOptions,
): string | undefined {
  const result = rules.condition(eligibility);
  if (!result.ok) {
    options.onError?.(offerId, 'eligibility', result.error);
    return `eligibility failed: ${result.error.message}`;
  }
  return result.value ? undefined : `eligibility does not hold: ${eligibility.source}`;
}

/** A failed or negative boost counts as 0 and is reported, rather than dropping the offer. */
function boosted(
  offer: Offer,
  rule: DoubleRule,
  rules: RuleResults,
  options: ScreenOffersOptions,
): EligibleOffer {
  const result = rules.score(rule);
  if (result.ok && result.value >= 0) {
    const boost = result.value;
    const score = roundScore(offer.priority * offer.value * (1 + boost));
    return { status: 'eligible', offer, boost, boostError: undefined, score };
  }
  const boostError = result.ok
    ? new RuleEvaluationError(rule.name, `boost must be >= 0, got ${result.value}`)
    : result.error;
  options.onError?.(offer.id, 'boost', boostError);
  const score = roundScore(offer.priority * offer.value);
  return { status: 'eligible', offer, boost: 0, boostError, score };
}
