import { randomInt } from 'node:crypto';
import { createLearnerState, createRandom, mergeLearnerStates } from '@pulse/learning';
import type { LearnerState, Random, ResolvedLearningOptions } from '@pulse/learning';
import type { PulseStore } from '@pulse/store';
import { PendingContacts } from './pending-contacts.js';

/** What one offer at one placement did. */
export interface OfferCounters {
  decisions: number;
  impressions: number;
  clicks: number;
  conversions: number;
  value: number;
}

/** Counters by placement, then offer id. */
export type OfferStatsTable = Record<string, Record<string, OfferCounters>>;

/** Keys of the learned state in the store's `learning` database. */
const LEARNER_KEY = 'learner';
const STATS_KEY = 'offer-stats';

/**
 * The learned state an engine decides with: committed in LMDB by the batch
 * that applied the feedback, and swapped in here after the commit. Every
 * engine applies the same decisions and feedback from the raw stream in the
 * same order, so every engine holds the same state.
 */
export class LearningRuntime {
  /** Impressions of this engine's decisions not yet applied from the stream. */
  readonly pending = new PendingContacts();

  /** Exploration draws: a fresh seed per process, so engines do not draw alike. */
  readonly random: Random = createRandom(randomInt(2 ** 31));

  private constructor(
    public learner: LearnerState,
    public stats: OfferStatsTable,
  ) {}

  /** Loads the state from LMDB; a learner for other context features starts afresh. */
  static load(store: PulseStore, options: ResolvedLearningOptions): LearningRuntime {
    const stored = store.learning.get(LEARNER_KEY) as LearnerState | undefined;
    const learner = matches(stored, options) ? stored : createLearnerState(options.contextIds);
    const stats = (store.learning.get(STATS_KEY) as OfferStatsTable | undefined) ?? {};
    return new LearningRuntime(learner, stats);
  }

  /** A batch's changes, to fill while applying and commit with the batch. */
  startBatch(options: ResolvedLearningOptions): LearningBatch {
    if (!matches(this.learner, options)) this.learner = createLearnerState(options.contextIds);
    return {
      delta: createLearnerState(options.contextIds),
      stats: {},
      changed: false,
      appliedDecisions: [],
    };
  }

  /**
   * Writes the learner and counters with the batch's changes merged in,
   * inside the caller's transaction; returns what to swap in after commit.
   */
  commitBatch(store: PulseStore, batch: LearningBatch): (() => void) | undefined {
    if (!batch.changed) return undefined;
    const learner = mergeLearnerStates(structuredClone(this.learner), batch.delta);
    const stats = structuredClone(this.stats);
    for (const [placement, offers] of Object.entries(batch.stats)) {
      for (const [offerId, add] of Object.entries(offers)) {
        const into = counters(stats, placement, offerId);
        into.decisions += add.decisions;
        into.impressions += add.impressions;
        into.clicks += add.clicks;
        into.conversions += add.conversions;
        into.value += add.value;
      }
    }
    store.learning.putSync(LEARNER_KEY, learner);
    store.learning.putSync(STATS_KEY, stats);
    return () => {
      this.learner = learner;
      this.stats = stats;
      for (const decisionId of batch.appliedDecisions) this.pending.applied(decisionId);
    };
  }
}

/** Changes of one batch: learner evidence, counters, decisions now in LMDB. */
export interface LearningBatch {
  delta: LearnerState;
  stats: OfferStatsTable;
  changed: boolean;
  appliedDecisions: string[];
}

/** The counters of one offer at one placement, created at zero. */
export function counters(
  table: OfferStatsTable,
  placement: string,
  offerId: string,
): OfferCounters {
  const offers = (table[placement] ??= {});
  return (offers[offerId] ??= {
    decisions: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
    value: 0,
  });
}

function matches(
  learner: LearnerState | undefined,
  options: ResolvedLearningOptions,
): learner is LearnerState {
  return (
    learner !== undefined && learner.features.join('\u0000') === options.contextIds.join('\u0000')
  );
}
