/**
 * The load generator: a child process (forked by decide.bench.ts) that calls
 * the engine's gRPC APIs and reports latency over IPC. Open-loop phases send
 * at a fixed rate from timers and measure from each request's due time, so
 * queueing shows; nothing spins, so the server keeps its core.
 */
import { performance } from 'node:perf_hooks';
import { status as grpcStatus } from '@grpc/grpc-js';
import { createClient } from '@pulse/grpc';
import { AudienceService, DecisionService, DiagnosticsService } from '@pulse/proto';
import { requireBenchParent } from './bench-child.js';
import { LatencyRecorder } from './latency-recorder.js';
import { LoopDelayWatch } from './loop-delay.js';
import type {
  ClosedLoopPhase,
  LoadMethod,
  LoadPhase,
  LoadPlan,
  LoadReport,
  OpenLoopPhase,
  PhaseResult,
} from './load-protocol.js';

/** A request deadline far past any latency worth measuring. */
const CALL_DEADLINE_MS = 10_000;

/** Delay before the first due time, so the schedule starts on a fresh tick. */
const START_LEAD_MS = 5;

/** Calls in flight while priming. */
const PRIME_CONCURRENCY = 8;

type Call = () => Promise<unknown>;

/** Everything measured for one phase key, summed over its slices. */
class PhaseTally {
  readonly latency = new LatencyRecorder();
  readonly sendLag = new LatencyRecorder();
  /** Sampled only while one of this key's slices runs. */
  readonly loopDelay = new LoopDelayWatch();
  sent = 0;
  ok = 0;
  errors = 0;
  completed = 0;
  slices = 0;
  windowMs = 0;
  cpuMicros = 0;
  wallMs = 0;
  readonly errorKinds: Record<string, number> = {};

  constructor(readonly phase: LoadPhase) {}

  fail(err: unknown): void {
    this.errors += 1;
    const kind = errorKind(err);
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
  }

  result(): PhaseResult {
    return {
      phase: this.phase,
      slices: this.slices,
      windowMs: this.windowMs,
      completed: this.completed,
      sent: this.sent,
      ok: this.ok,
      errors: this.errors,
      errorKinds: this.errorKinds,
      achievedPerSec: (this.ok * 1_000) / this.windowMs,
      latency: this.latency.summary(),
      sendLag: this.sendLag.summary(),
      generator: {
        cpuPercent: this.cpuMicros / 10 / this.wallMs,
        loopDelayMaxMs: this.loopDelay.maxMs,
      },
    };
  }
}

/** Builds one call per method; user ids rotate through the plan's skewed list. */
function createCalls(plan: LoadPlan): { calls: Record<LoadMethod, Call>; close(): void } {
  const options = { deadlineMs: CALL_DEADLINE_MS };
  const diagnostics = createClient(DiagnosticsService, plan.address, options);
  const decisions = createClient(DecisionService, plan.address, options);
  const audiences = createClient(AudienceService, plan.address, options);
  let next = 0;
  const nextUser = () => ({ type: 'user_id', value: plan.userIds[next++ % plan.userIds.length]! });
  const calls: Record<LoadMethod, Call> = {
    ping: () => diagnostics.ping({}),
    decide: () =>
      decisions.decide({
        placement: plan.placement,
        identifiers: [nextUser()],
        limit: plan.limit,
      }),
    check: () => audiences.check({ audienceId: plan.audienceId, identifier: nextUser() }),
  };
  const close = () => [diagnostics, decisions, audiences].forEach((c) => c.close());
  return { calls, close };
}

/**
 * Sends request i at `start + i / rate`. Each timer tick sends every request
 * already due, then sleeps until the next one is; latency runs from due time.
 * Returns the measured window: until the last due time or the last response.
 */
async function runOpenLoop(call: Call, phase: OpenLoopPhase, tally: PhaseTally): Promise<number> {
  const intervalMs = 1_000 / phase.ratePerSec;
  const total = Math.ceil(((phase.warmupMs + phase.durationMs) * phase.ratePerSec) / 1_000);
  const startMs = performance.now() + START_LEAD_MS;
  const measureFromMs = startMs + phase.warmupMs;
  const pending = new Set<Promise<void>>();
  let lastResponseMs = 0;

  const send = (dueMs: number) => {
    const measured = dueMs >= measureFromMs;
    if (measured) {
      tally.sent += 1;
      tally.sendLag.record(performance.now() - dueMs);
    }
    const request = call().then(
      () => {
        const doneMs = performance.now();
        tally.completed += 1;
        if (!measured) return;
        tally.ok += 1;
        tally.latency.record(doneMs - dueMs);
        lastResponseMs = Math.max(lastResponseMs, doneMs);
      },
      (err: unknown) => {
        if (measured) tally.fail(err);
      },
    );
    const tracked = request.finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      const nowMs = performance.now();
      for (; i < total && startMs + i * intervalMs <= nowMs; i += 1) send(startMs + i * intervalMs);
      if (i >= total) return resolve();
      setTimeout(tick, Math.max(0, startMs + i * intervalMs - performance.now()));
    };
    setTimeout(tick, START_LEAD_MS);
  });
  await Promise.all(pending);
  return Math.max(lastResponseMs, measureFromMs + phase.durationMs) - measureFromMs;
}

/** Keeps `concurrency` calls in flight; each worker sends again as soon as one returns. */
async function runClosedLoop(
  call: Call,
  phase: ClosedLoopPhase,
  tally: PhaseTally,
): Promise<number> {
  const measureFromMs = performance.now() + phase.warmupMs;
  const endMs = measureFromMs + phase.durationMs;

  const worker = async () => {
    for (let sentMs = performance.now(); sentMs < endMs; sentMs = performance.now()) {
      const measured = sentMs >= measureFromMs;
      if (measured) tally.sent += 1;
      try {
        await call();
        tally.completed += 1;
        if (!measured) continue;
        tally.ok += 1;
        tally.latency.record(performance.now() - sentMs);
      } catch (err) {
        if (measured) tally.fail(err);
      }
    }
  };
  await Promise.all(Array.from({ length: phase.concurrency }, worker));
  return phase.durationMs;
}

/** Calls every method `count` times, unrecorded: connections open and code gets compiled. */
async function prime(calls: Record<LoadMethod, Call>, count: number): Promise<void> {
  for (const call of Object.values(calls)) {
    let left = count;
    const worker = async () => {
      for (; left > 0; left -= 1) await call();
    };
    await Promise.all(Array.from({ length: PRIME_CONCURRENCY }, worker));
  }
}

/** Runs one slice into its key's tally, watching the generator's own CPU and loop delay. */
async function runSlice(call: Call, phase: LoadPhase, tally: PhaseTally): Promise<void> {
  report({ type: 'slice-start', key: phase.key });
  tally.loopDelay.start();
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  tally.windowMs +=
    phase.kind === 'open'
      ? await runOpenLoop(call, phase, tally)
      : await runClosedLoop(call, phase, tally);
  const cpu = process.cpuUsage(cpuBefore);
  tally.wallMs += performance.now() - startedMs;
  tally.cpuMicros += cpu.user + cpu.system;
  tally.loopDelay.stop();
  tally.slices += 1;
  report({ type: 'slice-end', key: phase.key });
}

async function runPlan(plan: LoadPlan): Promise<void> {
  const { calls, close } = createCalls(plan);
  const tallies = new Map<string, PhaseTally>();
  try {
    await prime(calls, plan.primeCalls);
    for (const phase of plan.phases) {
      let tally = tallies.get(phase.key);
      if (!tally) tallies.set(phase.key, (tally = new PhaseTally(phase)));
      await runSlice(calls[phase.method], phase, tally);
    }
    for (const tally of tallies.values()) report({ type: 'phase', result: tally.result() });
    report({ type: 'done' });
  } finally {
    close();
  }
}

function errorKind(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number' && grpcStatus[code]) return grpcStatus[code];
  return err instanceof Error ? err.message : String(err);
}

function report(message: LoadReport): void {
  process.send?.(message);
}

requireBenchParent('load-generator.ts', 'decide.bench.ts');
process.once('message', (plan: LoadPlan) => {
  runPlan(plan).then(
    () => process.disconnect(),
    (err: unknown) => {
      report({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      process.disconnect();
    },
  );
});
