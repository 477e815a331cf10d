import { describe, expect, it } from 'vitest';
import { parseOfferCatalogue } from '@pulse/offers';
import { armOf, recordDecision } from '@pulse/learning';
import { explanation, harness, T0, verdicts } from './fixtures.js';

const FIXED_TOP_3 = { defaultPlacement: { model: 'fixed' as const, limit: 3 } };

describe('decide', () => {
  it('explains every offer of the placement in words', () => {
    const decision = harness().decideAt(T0);
    expect(decision.offers.map((o) => [o.offerId, o.score])).toEqual([['lantern', 30]]);
    expect(Object.fromEntries(decision.considered.map((c) => [c.offerId, c.explanation]))).toEqual({
      candles: "outranked: score 20 ranks below the 1 chosen (last 'lantern' at 30)",
      easter: 'outside schedule: scheduled 2027-03-01T00:00:00Z to 2027-04-15T00:00:00Z',
      gift_wrap: "outranked: score 5 ranks below the 1 chosen (last 'lantern' at 30)",
      lantern:
        'chosen at rank 1 of 1 (fixed ranking): score = propensity 1 × value 15 × ' +
        'lever 2 (priority 2 × (1 + boost 0)) = 30',
      vip: 'not eligible: eligibility does not hold: features.spend_30d >= 100.0',
      xmas: "outranked: score 12 ranks below the 1 chosen (last 'lantern' at 30)",
    });
  });

  it('keeps a second offer of a chosen group out of the answer', () => {
    const decision = harness(FIXED_TOP_3).decideAt(T0);
    // lantern 30, candles 20, then xmas 12 is skipped for gift_wrap 5.
    expect(decision.offers.map((o) => o.offerId)).toEqual(['lantern', 'candles', 'gift_wrap']);
    expect(verdicts(decision).xmas).toBe('same_group');
    expect(explanation(decision, 'xmas')).toBe("same group 'seasonal' as chosen offer 'candles'");
  });

  it('lets a placement that allows it show two offers of one group', () => {
    const placement = { ...FIXED_TOP_3.defaultPlacement, allowSameGroup: true };
    const decision = harness({ defaultPlacement: placement }).decideAt(T0);
    expect(decision.offers.map((o) => o.offerId)).toEqual(['lantern', 'candles', 'xmas']);
  });

  it('breaks equal scores by the fixed score, then by offer id', () => {
    const catalogue = parseOfferCatalogue({
      offers: [
        { id: 'y', name: 'Y', placements: ['homepage'], value: 4 },
        { id: 'x', name: 'X', placements: ['homepage'], priority: 3, value: 4 },
        { id: 'w', name: 'W', placements: ['homepage'], value: 4 },
      ],
    });
    // lever 'none': every score is 1 × 4; fixed scores are x 12, w 4, y 4.
    const options = {
      defaultPlacement: { model: 'fixed' as const, lever: 'none' as const, limit: 3 },
    };
    const decision = harness(options, {}, catalogue).decideAt(T0);
    expect(decision.offers.map((o) => [o.offerId, o.score])).toEqual([
      ['x', 4],
      ['w', 4],
      ['y', 4],
    ]);
  });

  it('answers a profile with no history with eligible offers from the bias alone', () => {
    const options = {
      context: [{ feature: 'orders_90d' }],
      defaultPlacement: { model: 'linear' as const },
    };
    const decision = harness(options, {}, undefined, {}).decideAt(T0);
    expect(decision.offers).toHaveLength(1);
    expect(decision.record.x).toEqual([1, 0]);
    expect(decision.model).toBe('linear');
  });
});

describe('holdout', () => {
  it('shows the holdout nothing when so configured', () => {
    const holdout = { share: 1, salt: 'h1', serve: 'nothing' as const };
    const decision = harness({ defaultPlacement: { model: 'beta', holdout } }).decideAt(T0);
    expect(decision.holdout).toBe(true);
    expect(decision.offers).toEqual([]);
    expect(verdicts(decision)).toMatchObject({ lantern: 'held_out', candles: 'held_out' });
    expect(verdicts(decision).vip).toBe('not_eligible');
  });

  it('gives the holdout the fixed ranking by default', () => {
    const holdout = { share: 1, salt: 'h1' };
    const decision = harness({ defaultPlacement: { model: 'beta', holdout } }).decideAt(T0);
    expect([decision.holdout, decision.model, decision.offers[0]?.offerId]).toEqual([
      true,
      'fixed',
      'lantern',
    ]);
  });
});

describe('exploration', () => {
  /** lantern is known to be best (mean 0.3); the others are barely tried, so draws often beat it. */
  function explorer(maxExploreShare: number) {
    const placement = { model: 'beta' as const, lever: 'none' as const, maxExploreShare };
    const h = harness({ defaultPlacement: placement });
    Object.assign(armOf(h.learner, 'homepage', 'lantern'), { successes: 300, failures: 700 });
    let deviations = 0;
    for (let i = 0; i < 400; i++) {
      const decision = h.decideAt(T0 + i);
      recordDecision(h.learner, decision);
      deviations += decision.deviated ? 1 : 0;
    }
    return { deviations, counts: h.learner.exploration.homepage };
  }

  it('never deviates from the greedy choice with a share of 0', () => {
    expect(explorer(0).deviations).toBe(0);
  });

  it('keeps deviations within the configured share', () => {
    const { deviations, counts } = explorer(0.1);
    expect(counts).toEqual({ decisions: 400, deviations });
    expect(deviations).toBeGreaterThan(0);
    expect(deviations).toBeLessThanOrEqual(40);
  });

  it('is greedy at temperature 0', () => {
    const h = harness({ defaultPlacement: { model: 'beta', lever: 'none', temperature: 0 } });
    Object.assign(armOf(h.learner, 'homepage', 'xmas'), { successes: 18, failures: 2 });
    const chosen = [1, 2, 3].map((i) => h.decideAt(T0 + i).offers[0]?.offerId);
    // xmas: Beta(19, 3), mean 0.864 × 12 = 10.36; unseen offers keep Beta(1, 1), mean 0.5,
    // so candles scores 0.5 × 20 = 10 and lantern 0.5 × 15 = 7.5.
    expect(chosen).toEqual(['xmas', 'xmas', 'xmas']);
  });

  it('names the sampled propensity a draw from the posterior', () => {
    const h = harness({ defaultPlacement: { model: 'beta', lever: 'none', temperature: 0 } });
    Object.assign(armOf(h.learner, 'homepage', 'xmas'), { successes: 18, failures: 2 });
    const xmas = h.decideAt(T0).considered.find((c) => c.offerId === 'xmas');
    // Greedy at temperature 0: the draw is the posterior mean of Beta(19, 3), 19 / 22.
    expect(xmas?.explanation).toBe(
      'chosen at rank 1 of 1 (beta): score = propensity 0.863636 ' +
        '(a draw from Beta(19, 3), mean 0.864) × value 12 × lever 1 = 10.363636',
    );
  });
});
