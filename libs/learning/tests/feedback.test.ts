import { describe, expect, it } from 'vitest';
import { createLearnerState, recordFeedback, resolveLearningOptions } from '@pulse/learning';
import type { DecisionRecord, Feedback, LearningOptions } from '@pulse/learning';
import { DAY_MS, T0 } from './fixtures.js';

function setup(overrides: LearningOptions = {}) {
  const options = resolveLearningOptions({ attributionWindowMs: DAY_MS, ...overrides });
  const state = createLearnerState([]);
  const shown = { offerId: 'lantern', viewed: false, clicked: false, converted: false };
  const record: DecisionRecord = {
    decisionId: 'd1',
    profileId: 'p1',
    placement: 'homepage',
    decidedAtMs: T0,
    holdout: false,
    x: [1],
    offers: [shown],
  };
  // `null` stands for a decision the engine does not know.
  const send = (kind: Feedback['kind'], atMs = T0 + 1000, known: DecisionRecord | null = record) =>
    recordFeedback(
      state,
      known ?? undefined,
      { decisionId: 'd1', offerId: 'lantern', kind, atMs },
      options,
    ).outcome;
  const arm = () => state.arms.homepage?.lantern;
  return { state, record, send, arm };
}

describe('recordFeedback', () => {
  it('counts a view then a click as one trial with one success', () => {
    const { send, arm } = setup();
    expect([send('viewed'), send('clicked'), send('clicked')]).toEqual([
      'applied',
      'applied',
      'duplicate',
    ]);
    expect(arm()).toMatchObject({ successes: 1, failures: 0 });
  });

  it('counts a click with no view before it as a trial too', () => {
    const { send, arm } = setup();
    send('clicked');
    send('viewed');
    expect(arm()).toMatchObject({ successes: 1, failures: 0, xx: [1], xr: [1] });
  });

  it.each([
    ['before the decision', T0 - 1, 'outside_window'],
    ['at the end of the window', T0 + DAY_MS, 'applied'],
    ['after the window', T0 + DAY_MS + 1, 'outside_window'],
  ])('attributes feedback stamped %s by event time', (_when, atMs, outcome) => {
    const { send, state } = setup();
    expect(send('clicked', atMs)).toBe(outcome);
    expect(state.feedback[outcome as 'applied']).toBe(1);
  });

  it('ignores and counts feedback for an unknown decision or offer', () => {
    const { send, state, record } = setup();
    expect(send('clicked', T0 + 1, null)).toBe('unknown_decision');
    const other = {
      ...record,
      offers: [{ offerId: 'candles', viewed: false, clicked: false, converted: false }],
    };
    expect(send('clicked', T0 + 1, other)).toBe('unknown_offer');
    expect(state.arms).toEqual({});
    expect(state.feedback).toMatchObject({ unknown_decision: 1, unknown_offer: 1, applied: 0 });
  });

  it('rewards conversions only when so configured', () => {
    const { send, arm } = setup({ rewardOn: 'converted' });
    send('clicked');
    expect(arm()).toMatchObject({ successes: 0, failures: 1 });
    send('converted');
    expect(arm()).toMatchObject({ successes: 1, failures: 0 });
  });
});
