import { describe, expect, it } from 'vitest';
import {
  createLearnerState,
  createRandom,
  describeEstimate,
  isLearnerStateMismatchError,
  linearEstimate,
  mergeLearnerStates,
  recordFeedback,
  resolveLearningOptions,
} from '@pulse/learning';
import type { DecisionRecord, Feedback, LearnerState } from '@pulse/learning';
import { T0 } from './fixtures.js';

const options = resolveLearningOptions({ context: [{ feature: 'visits', transform: 'identity' }] });

function record(decisionId: string, offerId: string, x: number[]): DecisionRecord {
  const shown = { offerId, viewed: false, clicked: false, converted: false };
  return {
    decisionId,
    profileId: 'p',
    placement: 'homepage',
    decidedAtMs: T0,
    holdout: false,
    x,
    offers: [shown],
  };
}

function fb(decisionId: string, offerId: string, kind: Feedback['kind']): Feedback {
  return { decisionId, offerId, kind, atMs: T0 + 1000 };
}

// d1 and d3 earn a click, d2 is only seen, d4 is seen and dismissed.
const FEEDBACK_A = [
  fb('d1', 'lantern', 'viewed'),
  fb('d1', 'lantern', 'clicked'),
  fb('d2', 'lantern', 'viewed'),
];
const FEEDBACK_B = [
  fb('d3', 'lantern', 'clicked'),
  fb('d4', 'candles', 'viewed'),
  fb('d4', 'candles', 'dismissed'),
];

function freshRecords(): Map<string, DecisionRecord> {
  return new Map([
    ['d1', record('d1', 'lantern', [1, 2])],
    ['d2', record('d2', 'lantern', [1, 0])],
    ['d3', record('d3', 'lantern', [1, 1])],
    ['d4', record('d4', 'candles', [1, 2])],
  ]);
}

function feed(feedback: readonly Feedback[], records = freshRecords()): LearnerState {
  const delta = createLearnerState(options.contextIds);
  for (const f of feedback) recordFeedback(delta, records.get(f.decisionId), f, options);
  return delta;
}

describe('mergeLearnerStates', () => {
  it('adds two replicas’ deltas into what one learner fed all the feedback holds', () => {
    const merged = createLearnerState(options.contextIds);
    mergeLearnerStates(merged, feed(FEEDBACK_A));
    mergeLearnerStates(merged, feed(FEEDBACK_B));
    const single = feed([...FEEDBACK_B, ...FEEDBACK_A]);

    expect(merged).toEqual(single);
    // By hand: trials x = [1,2], [1,0], [1,1] for lantern, rewards at [1,2] and [1,1].
    expect(merged.arms.homepage?.lantern).toEqual({
      successes: 2,
      failures: 1,
      xx: [3, 3, 3, 5],
      xr: [2, 3],
    });
    expect(merged.arms.homepage?.candles).toEqual({
      successes: 0,
      failures: 1,
      xx: [1, 2, 2, 4],
      xr: [0, 0],
    });
    expect(merged.feedback.applied).toBe(6);
  });

  it('gives the posterior worked out by hand', () => {
    const merged = mergeLearnerStates(feed(FEEDBACK_A), feed(FEEDBACK_B));
    const arm = merged.arms.homepage?.lantern;
    // A = I + [[3,3],[3,5]] = [[4,3],[3,6]], A⁻¹ = [[6,-3],[-3,4]] / 15, θ = A⁻¹·[2,3] = [0.2, 0.4].
    const settings = { ridge: 1, noise: 0.25, temperature: 0 };
    const estimate = linearEstimate(arm, [1, 1], settings, createRandom(1));
    expect(estimate.mean).toBeCloseTo(0.6, 12);
    expect(estimate.sampled).toBeCloseTo(0.6, 12);
    // xᵀA⁻¹x = 4/15, so the draw's spread at temperature 1 is 0.25 × √(4/15) ≈ 0.129.
    const spread = linearEstimate(arm, [1, 1], { ...settings, temperature: 1 }, createRandom(1));
    expect(describeEstimate(spread)).toBe('linear model on 1 features, estimate 0.6 ± 0.129');
  });

  it('estimates from fresh statistics after new trials reach a known arm', () => {
    const state = feed(FEEDBACK_A);
    const arm = state.arms.homepage?.lantern;
    const settings = { ridge: 1, noise: 0.25, temperature: 0 };
    const before = linearEstimate(arm, [1, 1], settings, createRandom(1)).mean;
    mergeLearnerStates(state, feed(FEEDBACK_B));
    const after = linearEstimate(arm, [1, 1], settings, createRandom(1)).mean;
    // Before: A = [[3,2],[2,5]], θ = A⁻¹·[1,2] = [1/11, 4/11]; after: 0.6 as worked out above.
    expect(before).toBeCloseTo(5 / 11, 12);
    expect(after).toBeCloseTo(0.6, 12);
  });

  it('refuses states built from different context features', () => {
    const other = createLearnerState(['orders_90d']);
    let caught: unknown;
    try {
      mergeLearnerStates(createLearnerState(options.contextIds), other);
    } catch (err) {
      caught = err;
    }
    expect(isLearnerStateMismatchError(caught)).toBe(true);
  });
});
