import { LearnerStateMismatchError } from './errors.js';

/**
 * What the learners know about one offer in one placement. Every field is a
 * sum over trials (an offer shown and seen), so the statistics of two
 * replicas merge by adding them.
 */
export interface ArmStats {
  /** Trials that earned the reward (a click, or a conversion when so configured). */
  successes: number;
  /** Trials without the reward. */
  failures: number;
  /**
   * Σ x·xᵀ over trials, row-major d × d, where x is the context vector
   * (bias first). The ridge prior is not included, so it adds up across replicas.
   */
  xx: number[];
  /** Σ reward·x over trials, length d. */
  xr: number[];
}

/** How often a learned ranking deviated from the greedy one, per placement. */
export interface ExplorationCounts {
  /** Decisions ranked by a learner (not the holdout, not the fixed model). */
  decisions: number;
  /** Of those, the decisions whose first offer was not the greedy first offer. */
  deviations: number;
}

/** What became of feedback: applied, or ignored and why. */
export const FEEDBACK_OUTCOMES = {
  applied: 'applied',
  /** The same kind of feedback already counted for this decision and offer. */
  duplicate: 'duplicate',
  /** No decision is known under the decision id (never made, or expired). */
  unknownDecision: 'unknown_decision',
  /** The decision did not show this offer. */
  unknownOffer: 'unknown_offer',
  /** Stamped before the decision or after its attribution window. */
  outsideWindow: 'outside_window',
} as const;

/** One of {@link FEEDBACK_OUTCOMES}. */
export type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[keyof typeof FEEDBACK_OUTCOMES];

/**
 * The learned state of every placement and offer: plain data (msgpack-ready)
 * in which every number is a sum, so a replica publishes the state it
 * gathered since its last publish (a delta) and others add it with
 * {@link mergeLearnerStates}.
 */
export interface LearnerState {
  /** The context feature ids the `xx` and `xr` statistics were built from, in order. */
  features: string[];
  /** Arm statistics by placement, then offer id. */
  arms: Record<string, Record<string, ArmStats>>;
  /** Exploration counts by placement. */
  exploration: Record<string, ExplorationCounts>;
  /** How many feedback events had each outcome. */
  feedback: Record<FeedbackOutcome, number>;
}

/** An empty learner state (or delta) for context vectors built from `features`. */
export function createLearnerState(features: readonly string[]): LearnerState {
  return {
    features: [...features],
    arms: {},
    exploration: {},
    feedback: {
      applied: 0,
      duplicate: 0,
      unknown_decision: 0,
      unknown_offer: 0,
      outside_window: 0,
    },
  };
}

/** The arm of `offerId` in `placement`, created empty when missing. */
export function armOf(state: LearnerState, placement: string, offerId: string): ArmStats {
  const arms = (state.arms[placement] ??= {});
  let arm = arms[offerId];
  if (arm === undefined) {
    const d = state.features.length + 1;
    arm = { successes: 0, failures: 0, xx: new Array<number>(d * d).fill(0), xr: zeros(d) };
    arms[offerId] = arm;
  }
  return arm;
}

/**
 * Adds one step of evidence to an arm: `trial` is 1 when the offer was newly
 * seen, `reward` 1 when it newly earned the reward. A reward for an offer
 * already counted as a failed trial moves it over (trial 0, reward 1).
 */
export function addEvidence(arm: ArmStats, x: readonly number[], trial: 0 | 1, reward: 0 | 1) {
  arm.successes += reward;
  arm.failures += trial - reward;
  const d = x.length;
  for (let i = 0; i < d; i++) {
    const xi = x[i] as number;
    arm.xr[i] = (arm.xr[i] as number) + reward * xi;
    if (trial === 0) continue;
    for (let j = 0; j < d; j++) {
      arm.xx[i * d + j] = (arm.xx[i * d + j] as number) + xi * (x[j] as number);
    }
  }
}

/**
 * Adds `from` into `into`, in place: arm statistics, exploration and
 * feedback counts. `from` is left untouched and shares nothing with the
 * result. Throws {@link LearnerStateMismatchError} when the two were built
 * from different context features.
 */
export function mergeLearnerStates(into: LearnerState, from: LearnerState): LearnerState {
  if (into.features.join('\u0000') !== from.features.join('\u0000')) {
    throw new LearnerStateMismatchError(into.features, from.features);
  }
  for (const [placement, arms] of Object.entries(from.arms)) {
    for (const [offerId, arm] of Object.entries(arms)) {
      const target = armOf(into, placement, offerId);
      target.successes += arm.successes;
      target.failures += arm.failures;
      addInto(target.xx, arm.xx);
      addInto(target.xr, arm.xr);
    }
  }
  for (const [placement, counts] of Object.entries(from.exploration)) {
    const target = (into.exploration[placement] ??= { decisions: 0, deviations: 0 });
    target.decisions += counts.decisions;
    target.deviations += counts.deviations;
  }
  for (const outcome of Object.values(FEEDBACK_OUTCOMES)) {
    into.feedback[outcome] += from.feedback[outcome] ?? 0;
  }
  return into;
}

function addInto(target: number[], source: readonly number[]) {
  for (let i = 0; i < source.length; i++) {
    target[i] = (target[i] ?? 0) + (source[i] as number);
  }
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
