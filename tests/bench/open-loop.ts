import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyRecorder } from './latency-recorder.js';
import type { LatencySummary } from './latency-recorder.js';

/** A fixed offered rate for a while, the first part unrecorded. */
export interface OpenLoopPhase {
  ratePerSec: number;
  warmupMs: number;
  phaseMs: number;
}

/**
 * Calls `call(i)` at a fixed offered rate whatever the answers take (open
 * loop); each latency counts from the call's due time, so queueing shows.
 * A call that fails counts as a failure, not a latency. Latencies also go
 * into `pool` when given, so phases run apart can be summarized together.
 */
export async function openLoop(
  phase: OpenLoopPhase,
  call: (i: number) => Promise<unknown>,
  pool?: LatencyRecorder,
): Promise<LatencySummary & { failures: number }> {
  const recorder = new LatencyRecorder();
  const intervalMs = 1_000 / phase.ratePerSec;
  const started = performance.now();
  const measureFrom = started + phase.warmupMs;
  const end = measureFrom + phase.phaseMs;
  const inFlight: Promise<void>[] = [];
  let failures = 0;
  for (let i = 0; ; i += 1) {
    const due = started + i * intervalMs;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(
      call(i).then(
        () => {
          if (due < measureFrom) return;
          const latencyMs = performance.now() - due;
          recorder.record(latencyMs);
          pool?.record(latencyMs);
        },
        () => {
          failures += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { ...recorder.summary(), failures };
}
