import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchReport } from './ingest-batch.js';

/** The collector's Prometheus metrics, on a registry of its own. */
export interface CollectorMetrics {
  registry: Registry;
  recordReport(source: string, report: BatchReport): void;
}

/** Creates the collector's metrics with process defaults. */
export function createCollectorMetrics(): CollectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const events = new Counter({
    name: 'pulse_collector_events_total',
    help: 'Events received, by source and outcome (accepted, duplicate, rejected)',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  return {
    registry,
    recordReport(source, report) {
      events.inc({ source, outcome: 'accepted' }, report.accepted);
      events.inc({ source, outcome: 'duplicate' }, report.duplicates);
      events.inc({ source, outcome: 'rejected' }, report.rejected);
    },
  };
}
