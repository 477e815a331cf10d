import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 1;

/**
 * The longest event-loop stall over a series of intervals. Each interval gets
 * its own histogram: one that is disabled and enabled again would count the
 * pause between intervals as a stall.
 */
export class LoopDelayWatch {
  private histogram: IntervalHistogram | undefined;
  private longestMs = 0;

  start(): void {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  stop(): void {
    if (!this.histogram) return;
    this.histogram.disable();
    // Samples include the sampling interval itself; keep only the delay beyond it.
    const maxMs = this.histogram.max / 1e6 - RESOLUTION_MS;
    this.longestMs = Math.max(this.longestMs, maxMs);
    this.histogram = undefined;
  }

  /** The longest stall seen in any interval, in milliseconds. */
  get maxMs(): number {
    return this.longestMs;
  }
}
