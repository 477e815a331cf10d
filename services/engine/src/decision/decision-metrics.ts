import { Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { OfferStatsTable } from './learning-state.js';

/** What Decide reports to Prometheus. */
export interface DecisionMetrics {
  observeDecision(placement: string, seconds: number): void;
}

const KINDS = ['decisions', 'impressions', 'clicks', 'conversions'] as const;

/**
 * Decision latency per placement, and per placement and offer the counts of
 * decisions, impressions, clicks and conversions and the converted value,
 * read from the learned state at each scrape (they only grow, but live in
 * LMDB, so they are exported as gauges set from there).
 */
export function createDecisionMetrics(
  registry: Registry,
  stats: () => OfferStatsTable,
): DecisionMetrics {
  const latency = new Histogram({
    name: 'pulse_decision_seconds',
    help: 'Time to answer one Decide, by placement',
    labelNames: ['placement'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  new Gauge({
    name: 'pulse_offer_events',
    help: 'Decisions returning the offer and feedback attributed to them, by kind',
    labelNames: ['placement', 'offer', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [placement, offers] of Object.entries(stats())) {
        for (const [offer, counts] of Object.entries(offers)) {
          for (const kind of KINDS) this.set({ placement, offer, kind }, counts[kind]);
        }
      }
    },
  });
  new Gauge({
    name: 'pulse_offer_converted_value',
    help: 'Sum of the value of conversions attributed to the offer',
    labelNames: ['placement', 'offer'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [placement, offers] of Object.entries(stats())) {
        for (const [offer, counts] of Object.entries(offers)) {
          this.set({ placement, offer }, counts.value);
        }
      }
    },
  });
  // One child per placement (those of the catalogue): prom-client hashes
  // the labels of every `observe` given them.
  const byPlacement = new Map<string, Histogram.Internal<'placement'>>();
  return {
    observeDecision(placement, seconds) {
      let child = byPlacement.get(placement);
      if (child === undefined) byPlacement.set(placement, (child = latency.labels(placement)));
      child.observe(seconds);
    },
  };
}
