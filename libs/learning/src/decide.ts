import type { JsonObject } from '@bufbuild/protobuf';
import type { EligibleOffer, ScreenedOffer } from '@pulse/offers';
import type { FeatureReading } from '@pulse/rules';
import { hasContactRules, isAllowed } from './contact-policy.js';
import type { ContactRules, ContactState } from './contact-policy.js';
import { buildContextVector } from './context-vector.js';
import type { DecisionRecord } from './feedback.js';
import { inHoldout } from './holdout.js';
import type { LearnerState } from './learner-state.js';
import { placementOptions } from './learning-options.js';
import type {
  PropensityModel,
  ResolvedLearningOptions,
  ResolvedPlacementOptions,
} from './learning-options.js';
import type { Random } from './random.js';
import { explainChosen, explainDropped } from './explain-decision.js';
import { scoreOffer, select } from './rank-offers.js';
import type { ScoredOffer } from './rank-offers.js';

/** What one offer considered by a decision came to. */
export const OFFER_VERDICTS = {
  chosen: 'chosen',
  notEligible: 'not_eligible',
  outsideSchedule: 'outside_schedule',
  capped: 'capped',
  coolingDown: 'cooling_down',
  outranked: 'outranked',
  sameGroup: 'same_group',
  heldOut: 'held_out',
} as const;

export type { ScoredOffer };

/** One of {@link OFFER_VERDICTS}. */
export type OfferVerdict = (typeof OFFER_VERDICTS)[keyof typeof OFFER_VERDICTS];

/** What a decision is asked for: one profile, one placement, one instant. */
export interface DecideInput {
  /** The id feedback will refer to. */
  decisionId: string;
  profileId: string;
  placement: string;
  /** The decision instant (event clock), epoch ms. */
  atMs: number;
  /** `screenOffers` for this profile, placement and instant. */
  screened: readonly ScreenedOffer[];
  /**
   * Feature readings for the context vector. Pass `{}` when the profile's
   * personal data may not be used: the decision then uses the bias alone.
   */
  features: Readonly<Record<string, FeatureReading>>;
  /** The profile's contact history. */
  contact: ContactState;
  contactRules: ContactRules;
  /** Overrides the placement's `limit`. */
  limit?: number;
  /**
   * Whether to word an explanation for every offer considered; verdicts are
   * always given. Words cost about as much as the rest of the decision. @default false
   */
  explain?: boolean;
}

/** The learned state and settings a decision reads; it changes none of them. */
export interface DecideContext {
  learner: LearnerState;
  options: ResolvedLearningOptions;
  random: Random;
}

/** One offer of the answer. */
export interface ChosenOffer {
  offerId: string;
  name: string;
  /** The offer's group, to record the impression under. */
  group: string | undefined;
  /** propensity × value × lever, rounded to 6 decimal places. */
  score: number;
  /** The propensity used in the score. */
  propensity: number;
  content: JsonObject;
}

/** Every offer of the placement, with its verdict in words. */
export interface ConsideredOffer {
  offerId: string;
  verdict: OfferVerdict;
  /**
   * For an analyst, e.g. `capped: 2 impressions of offer 'x' in the last 1d (at most 2)`;
   * only when the decision was asked to `explain`.
   */
  explanation?: string;
  /** Set for offers that were scored. */
  score?: number;
}

/** The answer to one decision, with what feedback and measurement need. */
export interface Decision {
  decisionId: string;
  placement: string;
  /** The model that scored the offers (`fixed` for the holdout). */
  model: PropensityModel;
  /** Whether the profile is in the placement's holdout. */
  holdout: boolean;
  /** Whether the answer's first offer differs from the greedy first offer. */
  deviated: boolean;
  /** The chosen offers, best first. */
  offers: ChosenOffer[];
  /** Every offer of the placement, in offer id order. */
  considered: ConsideredOffer[];
  /** Keep until the attribution window closes; feedback is attributed with it. */
  record: DecisionRecord;
}

/**
 * Decides which offers one profile sees in one placement. Screened-out
 * offers, contact policy refusals and the holdout are settled first; the
 * rest are scored `propensity × value × lever` and taken best first, at
 * most `limit`, skipping an offer whose group is already in the answer
 * unless the placement allows it. Ties go to the higher fixed score
 * (`priority × value × (1 + boost)`), then to the smaller offer id.
 */
export function decide(input: DecideInput, context: DecideContext): Decision {
  const placement = placementOptions(context.options, input.placement);
  const holdout = inHoldout(input.profileId, placement.holdout);
  const model = holdout ? 'fixed' : placement.model;
  const limit = input.limit ?? placement.limit;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`'limit' must be a non-negative integer, got ${limit}`);
  }
  const x = buildContextVector(context.options.context, input.features);
  // Verdicts by position in `input.screened`, which is the order reported.
  const considered = new Array<ConsideredOffer>(input.screened.length);

  const { allowed, positions } = admit(input, placement, holdout, considered);
  const scored = allowed.map((eligible) =>
    scoreOffer(eligible, model, x, input.placement, placement, context),
  );
  const learned = model !== 'fixed' && scored.length > 0 && limit > 0;
  const { ranking, deviated } = select(scored, limit, learned, input.placement, placement, context);

  // Verdicts and the record feedback needs.
  const { chosen, sameGroupAs } = ranking;
  const explain = input.explain === true;
  const chosenVerdicts = new Map<ScoredOffer, ConsideredOffer>();
  chosen.forEach((offer, rank) => {
    const offerId = offer.eligible.offer.id;
    const verdict: ConsideredOffer = { offerId, verdict: 'chosen', score: offer.score };
    if (explain) {
      verdict.explanation = explainChosen(
        offer,
        rank,
        chosen.length,
        model,
        placement.lever,
        holdout,
      );
    }
    chosenVerdicts.set(offer, verdict);
  });
  scored.forEach((offer, k) => {
    const holder = sameGroupAs.get(offer.eligible.offer.id);
    considered[positions[k]!] =
      chosenVerdicts.get(offer) ?? unchosenVerdict(offer, chosen, holder, explain);
  });
  return {
    decisionId: input.decisionId,
    placement: input.placement,
    model,
    holdout,
    deviated,
    offers: chosen.map(toChosenOffer),
    considered,
    record: decisionRecord(input, holdout, x, chosen),
  };
}

/**
 * Settles the offers screening dropped, those the contact policy holds back
 * and, for a holdout shown nothing, all the rest, into `considered`; returns
 * the offers left, with their positions in `input.screened`.
 */
function admit(
  input: DecideInput,
  placement: ResolvedPlacementOptions,
  holdout: boolean,
  considered: ConsideredOffer[],
): { allowed: EligibleOffer[]; positions: number[] } {
  const allowed: EligibleOffer[] = [];
  const positions: number[] = [];
  const { screened } = input;
  const policy = hasContactRules(input.contactRules);
  for (let i = 0; i < screened.length; i++) {
    const offer = screened[i]!;
    const offerId = offer.offer.id;
    if (offer.status !== 'eligible') {
      considered[i] = dropped(offerId, offer.status, offer.reason, input.explain);
      continue;
    }
    const contact = policy && isAllowed(input.contact, offer.offer, input.atMs, input.contactRules);
    if (contact && !contact.allowed) {
      considered[i] = dropped(offerId, contact.reason, contact.detail, input.explain);
      continue;
    }
    allowed.push(offer);
    positions.push(i);
  }
  if (!holdout || placement.holdout?.serve !== 'nothing') {
    return { allowed, positions };
  }
  const why = `the profile is in the holdout of '${input.placement}', shown nothing`;
  allowed.forEach(({ offer }, k) => {
    considered[positions[k]!] = dropped(offer.id, 'held_out', why, input.explain);
  });
  return { allowed: [], positions: [] };
}

function dropped(
  offerId: string,
  verdict: OfferVerdict,
  detail: string,
  explain: boolean | undefined,
): ConsideredOffer {
  return explain === true
    ? { offerId, verdict, explanation: explainDropped(verdict, detail) }
    : { offerId, verdict };
}

function decisionRecord(
  input: DecideInput,
  holdout: boolean,
  x: number[],
  chosen: readonly ScoredOffer[],
): DecisionRecord {
  return {
    decisionId: input.decisionId,
    profileId: input.profileId,
    placement: input.placement,
    decidedAtMs: input.atMs,
    holdout,
    x,
    offers: chosen.map(({ eligible }) => ({
      offerId: eligible.offer.id,
      viewed: false,
      clicked: false,
      converted: false,
    })),
  };
}

/**
 * Counts a decision's exploration into `delta` (the learner state or a delta
 * to publish), in place: what the `maxExploreShare` cap reads.
 */
export function recordDecision(delta: LearnerState, decision: Decision): void {
  if (decision.model === 'fixed' || decision.offers.length === 0) return;
  const counts = (delta.exploration[decision.placement] ??= { decisions: 0, deviations: 0 });
  counts.decisions += 1;
  counts.deviations += decision.deviated ? 1 : 0;
}

function unchosenVerdict(
  offer: ScoredOffer,
  chosen: readonly ScoredOffer[],
  sameGroupHolder: string | undefined,
  explain: boolean,
): ConsideredOffer {
  const offerId = offer.eligible.offer.id;
  const { score } = offer;
  if (sameGroupHolder !== undefined) {
    const verdict: ConsideredOffer = { offerId, verdict: 'same_group', score };
    if (explain) {
      const group = offer.eligible.offer.group;
      verdict.explanation = `same group '${group}' as chosen offer '${sameGroupHolder}'`;
    }
    return verdict;
  }
  const verdict: ConsideredOffer = { offerId, verdict: 'outranked', score };
  const last = chosen.at(-1);
  if (explain) {
    verdict.explanation =
      last === undefined
        ? 'outranked: the answer holds no offers'
        : `outranked: score ${score} ranks below the ${chosen.length} chosen ` +
          `(last '${last.eligible.offer.id}' at ${last.score})`;
  }
  return verdict;
}

function toChosenOffer(offer: ScoredOffer): ChosenOffer {
  const { id, name, group, content } = offer.eligible.offer;
  const propensity = offer.estimate.sampled;
  return { offerId: id, name, group, score: offer.score, propensity, content };
}
