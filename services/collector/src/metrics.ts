import { EventOutcome } from '@pulse/proto';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchReport } from './ingest-batch.js';

/** The collector's Prometheus metrics, on a registry of its own. */
export interface CollectorMetrics {
  registry: Registry;
  recordReport(source: string, report: BatchReport): void;
  /** Counts an HTTP intake request refused with 401 or 403. */
  recordHttpDenied(statusCode: 401 | 403): void;
}

/** Distinct `reason` labels kept; later new reasons count under `other`. */
const MAX_REASONS = 100;

/** Longest `reason` label, in characters. */
const MAX_REASON_CHARS = 80;

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
  const rejects = new Counter({
    name: 'pulse_collector_rejects_total',
    help: 'Events rejected to the dead-letter stream, by source and reason',
    labelNames: ['source', 'reason'] as const,
    registers: [registry],
  });
  const reasonLabel = createReasonLabels();
  return {
    registry,
    recordHttpDenied: (statusCode) => httpDenied.inc({ code: String(statusCode) }),
    recordReport(source, report) {
      events.inc({ source, outcome: 'accepted' }, report.accepted);
      events.inc({ source, outcome: 'duplicate' }, report.duplicates);
      events.inc({ source, outcome: 'rejected' }, report.rejected);
      for (const result of report.results) {
        if (result.outcome !== EventOutcome.REJECTED) continue;
        rejects.inc({ source, reason: reasonLabel(result.reason) });
      }
    },
  };
}

/**
 * Turns a rejection reason into a label of bounded cardinality: numbers and
 * quoted values (limits, the offending text) are masked, the length is capped,
 * and past {@link MAX_REASONS} distinct labels new ones fold into `other`.
 */
export function createReasonLabels(): (reason: string) => string {
  const seen = new Set<string>();
  return (reason) => {
    const label = reason
      .replace(/'[^']*'|"[^"]*"/g, '…')
      .replace(/\d+(\.\d+)?/g, 'N')
      .slice(0, MAX_REASON_CHARS);
    if (seen.has(label)) return label;
    if (seen.size >= MAX_REASONS) return 'other';
    seen.add(label);
    return label;
  };
}
