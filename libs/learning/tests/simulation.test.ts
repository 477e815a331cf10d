import { describe, expect, it } from 'vitest';
import { parseOfferCatalogue } from '@pulse/offers';
import type { EligibleOffer, ScreenedOffer } from '@pulse/offers';
import {
  createContactState,
  createLearnerState,
  createRandom,
  decide,
  mergeLearnerStates,
  recordDecision,
  recordFeedback,
  resolveLearningOptions,
} from '@pulse/learning';
import type {
  DecisionRecord,
  Feedback,
  LearnerState,
  Random,
  ResolvedLearningOptions,
} from '@pulse/learning';

/**
 * Ground truth: a customer's click probability per offer is linear in two
 * scaled features, z1 = log1p(orders_90d) / log1p(20) and
 * z2 = days_since_visit / 60, so that no single offer is best for everyone.
 */
const TRUTH: Record<string, (z1: number, z2: number) => number> = {
  loyal: (z1) => 0.02 + 0.2 * z1,
  newcomer: (z1) => 0.2 - 0.18 * z1,
  winback: (_z1, z2) => 0.03 + 0.17 * z2,
  fresh: (_z1, z2) => 0.19 - 0.16 * z2,
  generic: () => 0.09,
};
const OFFER_IDS = Object.keys(TRUTH).sort();
const DECISIONS = 50_000;
const FEEDBACK_LAG = 50; // decisions whose feedback is still in flight
const T0 = Date.UTC(2026, 0, 1);

const catalogue = parseOfferCatalogue({
  offers: OFFER_IDS.map((id) => ({ id, name: id, placements: ['homepage'], value: 1 })),
});
const screened: ScreenedOffer[] = catalogue
  .forPlacement('homepage')
  .map((offer): EligibleOffer => ({
    status: 'eligible',
    offer,
    boost: 0,
    boostError: undefined,
    score: 1,
  }));

interface Customer {
  features: { orders_90d: number; days_since_visit: number };
  truth: number[];
}

function customer(random: Random): Customer {
  const orders = Math.floor(random.uniform() ** 2 * 21);
  const days = Math.floor(random.uniform() * 61);
  const z1 = Math.log1p(orders) / Math.log1p(20);
  const truth = OFFER_IDS.map((id) =>
    (TRUTH[id] as (a: number, b: number) => number)(z1, days / 60),
  );
  return { features: { orders_90d: orders, days_since_visit: days }, truth };
}

type Policy = (c: Customer, i: number) => string;

/** Clicks over DECISIONS decisions; customers and clicks come from their own seeded streams. */
function clickRate(policy: Policy): number {
  const people = createRandom(7);
  const outcomes = createRandom(11);
  let clicks = 0;
  for (let i = 0; i < DECISIONS; i++) {
    const c = customer(people);
    const chosen = policy(c, i);
    const clicked = outcomes.uniform() < (c.truth[OFFER_IDS.indexOf(chosen)] as number);
    clicks += clicked ? 1 : 0;
    feedbackSink?.(i, chosen, clicked);
  }
  return clicks / DECISIONS;
}

let feedbackSink: ((i: number, offerId: string, clicked: boolean) => void) | undefined;

const options = (model: 'beta' | 'linear') =>
  resolveLearningOptions({
    context: [
      { feature: 'orders_90d', transform: 'log1p', divideBy: 3 },
      { feature: 'days_since_visit', transform: 'identity', divideBy: 60 },
    ],
    placements: { homepage: { model, lever: 'none' } },
  });

/**
 * One engine replica as the engine would run it: decisions read `learner`;
 * decisions and feedback go into `delta`, which is published, and every
 * replica (the sender too) adds the published deltas in stream order.
 */
class Replica {
  learner: LearnerState;
  delta: LearnerState;
  readonly records = new Map<string, DecisionRecord>();
  private readonly random: Random;
  private readonly contact = createContactState();

  constructor(
    private readonly options: ResolvedLearningOptions,
    seed: number,
  ) {
    this.learner = createLearnerState(options.contextIds);
    this.delta = createLearnerState(options.contextIds);
    this.random = createRandom(seed);
  }

  decide(c: Customer, i: number): string {
    const input = {
      decisionId: `d${i}`,
      profileId: `p${i}`,
      placement: 'homepage',
      atMs: T0 + i * 1000,
      screened,
      features: c.features,
      contact: this.contact,
      contactRules: {},
    };
    const decision = decide(input, {
      learner: this.learner,
      options: this.options,
      random: this.random,
    });
    recordDecision(this.delta, decision);
    this.records.set(decision.decisionId, decision.record);
    return decision.offers[0]?.offerId as string;
  }

  feedback(feedback: Feedback) {
    recordFeedback(this.delta, this.records.get(feedback.decisionId), feedback, this.options);
  }

  publish(): LearnerState {
    const published = this.delta;
    this.delta = createLearnerState(this.options.contextIds);
    this.records.clear(); // every feedback of these decisions has arrived
    return published;
  }
}

/** A learner spread over `count` replicas taking turns at decisions, with feedback FEEDBACK_LAG late. */
function learnerPolicy(
  model: 'beta' | 'linear',
  count = 1,
): { policy: Policy; replicas: Replica[] } {
  const replicas = Array.from({ length: count }, (_, r) => new Replica(options(model), 3 + r));
  const pending: Array<[Replica, Feedback]> = [];

  feedbackSink = (i, offerId, clicked) => {
    const replica = replicas[i % count] as Replica;
    const atMs = T0 + i * 1000 + 500;
    pending.push([replica, { decisionId: `d${i}`, offerId, kind: 'viewed', atMs }]);
    if (clicked) pending.push([replica, { decisionId: `d${i}`, offerId, kind: 'clicked', atMs }]);
    if (i % FEEDBACK_LAG !== FEEDBACK_LAG - 1) return;
    for (const [to, feedback] of pending.splice(0)) to.feedback(feedback);
    for (const delta of replicas.map((replica) => replica.publish())) {
      for (const replica of replicas) mergeLearnerStates(replica.learner, delta);
    }
  };
  const policy: Policy = (c, i) => (replicas[i % count] as Replica).decide(c, i);
  return { policy, replicas };
}

describe('simulation with a known ground truth', () => {
  it('learns close to the oracle, well above random, and context pays where the truth is contextual', () => {
    const started = performance.now();
    const choice = createRandom(5);
    feedbackSink = undefined;
    const random = clickRate(
      () => OFFER_IDS[Math.floor(choice.uniform() * OFFER_IDS.length)] as string,
    );
    const oracle = clickRate((c) => OFFER_IDS[c.truth.indexOf(Math.max(...c.truth))] as string);
    const beta = clickRate(learnerPolicy('beta').policy);
    const linear = clickRate(learnerPolicy('linear').policy);
    feedbackSink = undefined;

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `click-through over ${DECISIONS} decisions: random ${random.toFixed(4)}, ` +
        `oracle ${oracle.toFixed(4)}, learner (linear) ${linear.toFixed(4)} ` +
        `= ${(linear / random).toFixed(2)}x random, ${((linear / oracle) * 100).toFixed(1)}% of oracle; ` +
        `beta ${beta.toFixed(4)} (${seconds} s)`,
    );
    expect(linear).toBeGreaterThanOrEqual(1.3 * random);
    expect(linear).toBeGreaterThanOrEqual(0.85 * oracle);
    expect(linear).toBeGreaterThan(beta);
  });
});

describe('simulation across two replicas', () => {
  it('learns as well when two replicas share deltas, and both end with the same state', () => {
    const oracle = clickRate((c) => OFFER_IDS[c.truth.indexOf(Math.max(...c.truth))] as string);
    const { policy, replicas } = learnerPolicy('linear', 2);
    const shared = clickRate(policy);
    feedbackSink = undefined;

    console.log(`two replicas: learner (linear) ${shared.toFixed(4)}, oracle ${oracle.toFixed(4)}`);
    expect(shared).toBeGreaterThanOrEqual(0.85 * oracle);
    const [a, b] = replicas as [Replica, Replica];
    expect(a.learner).toEqual(b.learner);
    expect(a.learner.feedback.applied).toBeGreaterThan(DECISIONS);
  });
});
