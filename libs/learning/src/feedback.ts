import { armOf, addEvidence } from './learner-state.js';
import type { FeedbackOutcome, LearnerState } from './learner-state.js';
import type { ResolvedLearningOptions } from './learning-options.js';

/** What happened to one offer of a decision so far. */
export interface ShownOffer {
  offerId: string;
  viewed: boolean;
  clicked: boolean;
  converted: boolean;
}

/**
 * What feedback needs to know about a decision: plain data, kept (e.g. in
 * LMDB under the decision id) until its attribution window closes.
 */
export interface DecisionRecord {
  decisionId: string;
  profileId: string;
  placement: string;
  /** The decision instant, epoch ms: the attribution window opens here. */
  decidedAtMs: number;
  /** Whether the profile was in the placement's holdout. */
  holdout: boolean;
  /** The context vector the offers were scored with (bias first). */
  x: number[];
  /** The offers of the answer, in rank order. */
  offers: ShownOffer[];
}

/** A feedback event about one offer of one decision. */
export interface Feedback {
  decisionId: string;
  offerId: string;
  kind: 'viewed' | 'clicked' | 'converted' | 'dismissed';
  /** Event time, epoch ms. */
  atMs: number;
}

/** The result of {@link recordFeedback}. */
export interface FeedbackResult {
  outcome: FeedbackOutcome;
  /** The offer's entry in the record, when the feedback was attributed to it. */
  shown: ShownOffer | undefined;
}

/**
 * Attributes one feedback event to its decision and adds the evidence to
 * `delta` (the learner state, or a delta to publish), in place, and marks
 * the record. Each offer of a decision counts as at most one trial (its
 * first view, click or conversion) and at most one reward, whatever order
 * and however often feedback arrives. Feedback for an unknown decision or
 * offer, or stamped outside `[decidedAtMs, decidedAtMs + attributionWindowMs]`,
 * changes nothing but its counter.
 */
export function recordFeedback(
  delta: LearnerState,
  record: DecisionRecord | undefined,
  feedback: Feedback,
  options: ResolvedLearningOptions,
): FeedbackResult {
  const result = attribute(record, feedback, options);
  delta.feedback[result.outcome] += 1;
  if (result.outcome !== 'applied' || record === undefined || result.shown === undefined) {
    return result;
  }

  const shown = result.shown;
  const wasTrial = shown.viewed || shown.clicked || shown.converted;
  const wasRewarded = options.rewardOn === 'clicked' ? shown.clicked : shown.converted;
  // A click implies a view; a conversion implies both.
  if (feedback.kind === 'converted') shown.converted = shown.clicked = true;
  if (feedback.kind === 'clicked') shown.clicked = true;
  shown.viewed = true;
  const isRewarded = options.rewardOn === 'clicked' ? shown.clicked : shown.converted;

  const trial = wasTrial ? 0 : 1;
  const reward = isRewarded && !wasRewarded ? 1 : 0;
  if (trial === 1 || reward === 1) {
    addEvidence(armOf(delta, record.placement, shown.offerId), record.x, trial, reward);
  }
  return result;
}

function attribute(
  record: DecisionRecord | undefined,
  feedback: Feedback,
  options: ResolvedLearningOptions,
): FeedbackResult {
  if (record === undefined || record.decisionId !== feedback.decisionId) {
    return { outcome: 'unknown_decision', shown: undefined };
  }
  const shown = record.offers.find((offer) => offer.offerId === feedback.offerId);
  if (shown === undefined) {
    return { outcome: 'unknown_offer', shown: undefined };
  }
  const sinceMs = feedback.atMs - record.decidedAtMs;
  if (!(sinceMs >= 0 && sinceMs <= options.attributionWindowMs)) {
    return { outcome: 'outside_window', shown: undefined };
  }
  const repeated =
    (feedback.kind === 'viewed' && shown.viewed) ||
    (feedback.kind === 'clicked' && shown.clicked) ||
    (feedback.kind === 'converted' && shown.converted);
  return { outcome: repeated ? 'duplicate' : 'applied', shown };
}
