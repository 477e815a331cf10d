/** Percentiles of one set of latencies, in milliseconds. */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const INITIAL_CAPACITY = 16_384;

/**
 * Keeps every recorded latency and sorts once when summarized: exact
 * percentiles for the few hundred thousand samples a bench phase takes.
 */
export class LatencyRecorder {
  private values = new Float64Array(INITIAL_CAPACITY);
  private size = 0;

  record(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.size).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      count: this.size,
      meanMs: this.size === 0 ? Number.NaN : sum / this.size,
      p50Ms: percentile(sorted, 0.5),
      p90Ms: percentile(sorted, 0.9),
      p99Ms: percentile(sorted, 0.99),
      p999Ms: percentile(sorted, 0.999),
      maxMs: this.size === 0 ? Number.NaN : sorted[this.size - 1]!,
    };
  }
}

/** The nearest-rank percentile of ascending `sorted`; NaN when empty. */
function percentile(sorted: Float64Array, quantile: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(quantile * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
