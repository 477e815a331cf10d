import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Transition } from './audience/update-audiences.js';
import type { BatchOutcome } from './ingest/apply-batch.js';

/** The engine's Prometheus metrics, on a registry of its own. */
export interface EngineMetrics {
  registry: Registry;
  recordBatch(outcome: BatchOutcome, seconds: number): void;
  recordRechecks(profiles: number, transitions: readonly Transition[]): void;
}

/**
 * Creates the engine's metrics with process defaults, starting from the
 * applied sequence; `countProfiles` is read at each scrape for `pulse_profiles`.
 */
export function createEngineMetrics(
  appliedSeqAtStart: number,
  countProfiles?: () => number,
): EngineMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const events = new Counter({
    name: 'pulse_engine_events_total',
    help: 'Stream messages handled, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'pulse_identity_conflicts_total',
    help: 'Events whose identifiers named two different profiles',
    registers: [registry],
  });
  const merges = new Counter({
    name: 'pulse_identity_merges_total',
    help: 'Profiles merged into another because an event linked them',
    registers: [registry],
  });
  const traitConflicts = new Counter({
    name: 'pulse_trait_type_conflicts_total',
    help: 'Trait writes refused because they would change the trait type',
    registers: [registry],
  });
  const deletions = new Counter({
    name: 'pulse_profile_deletions_total',
    help: 'Profiles deleted on request',
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'pulse_audience_transitions_total',
    help: 'Audience membership changes',
    labelNames: ['direction'] as const,
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'pulse_engine_batch_seconds',
    help: 'Time to apply and commit one batch',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const rechecks = new Counter({
    name: 'pulse_audience_rechecks_total',
    help: 'Profiles re-evaluated because time passed, with no new event',
    registers: [registry],
  });
  const countTransitions = (list: readonly Transition[]) => {
    const entered = list.filter((t) => t.entered).length;
    transitions.inc({ direction: 'entered' }, entered);
    transitions.inc({ direction: 'exited' }, list.length - entered);
  };
  const appliedSeq = new Gauge({
    name: 'pulse_engine_applied_sequence',
    help: 'Last stream sequence committed to LMDB',
    registers: [registry],
  });
  appliedSeq.set(appliedSeqAtStart);
  if (countProfiles) {
    new Gauge({
      name: 'pulse_profiles',
      help: 'Profiles in the LMDB store',
      registers: [registry],
      collect() {
        this.set(countProfiles());
      },
    });
  }
  return {
    registry,
    recordBatch(outcome, seconds) {
      events.inc({ outcome: 'applied' }, outcome.applied);
      events.inc({ outcome: 'duplicate' }, outcome.duplicates);
      events.inc({ outcome: 'replayed' }, outcome.replayed);
      events.inc({ outcome: 'invalid' }, outcome.invalid.length);
      events.inc({ outcome: 'suppressed' }, outcome.suppressed);
      conflicts.inc(outcome.conflicts);
      traitConflicts.inc(outcome.traitConflicts);
      deletions.inc(outcome.deletions);
      merges.inc(outcome.merges);
      countTransitions(outcome.transitions);
      batchSeconds.observe(seconds);
      if (outcome.lastSeq > 0) appliedSeq.set(outcome.lastSeq);
    },
    recordRechecks(profiles, list) {
      rechecks.inc(profiles);
      countTransitions(list);
    },
  };
}
