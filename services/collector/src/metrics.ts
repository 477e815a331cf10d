import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchReport } from './ingest-batch.js';

/** The collector's Prometheus metrics, on a registry of its own. */
export interface CollectorMetrics {
  registry: Registry;
  recordReport(source: string, report: BatchReport): void;
  /** Counts an HTTP intake request refused with 401 or 403. */
  recordHttpDenied(statusCode: 401 | 403): void;
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
  const httpDenied = new Counter({
    name: 'pulse_collector_http_auth_denied_total',
    help: 'HTTP intake requests refused for a missing or unknown key (401) or scope (403)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return {
    registry,
    recordHttpDenied: (statusCode) => httpDenied.inc({ code: String(statusCode) }),
    recordReport(source, report) {
      events.inc({ source, outcome: 'accepted' }, report.accepted);
      events.inc({ source, outcome: 'duplicate' }, report.duplicates);
      events.inc({ source, outcome: 'rejected' }, report.rejected);
    },
  };
}
