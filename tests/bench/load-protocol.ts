import type { LatencySummary } from './latency-recorder.js';

/** The calls the load generator can make; `ping` is the no-op reference. */
export const LOAD_METHODS = {
  ping: 'DiagnosticsService.Ping',
  decide: 'DecisionService.Decide',
  check: 'AudienceService.Check',
} as const;

export type LoadMethod = keyof typeof LOAD_METHODS;

/**
 * Requests sent at a fixed rate whatever the server does (open loop). A
 * phase may run as several slices with the same `key`, interleaved with other
 * phases' slices so that noise on a shared machine hits every method alike;
 * their figures are merged.
 */
export interface OpenLoopPhase {
  kind: 'open';
  key: string;
  method: LoadMethod;
  ratePerSec: number;
  /** Sent but not recorded. */
  warmupMs: number;
  durationMs: number;
}

/** `concurrency` requests always in flight, each sent when one returns (closed loop). */
export interface ClosedLoopPhase {
  kind: 'closed';
  key: string;
  method: LoadMethod;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export type LoadPhase = OpenLoopPhase | ClosedLoopPhase;

/** What the runner sends the load generator child over IPC. `phases` run in order. */
export interface LoadPlan {
  /** `host:port` of the engine's gRPC server. */
  address: string;
  /** User ids to ask about, drawn in order and repeated; skewed like the events. */
  userIds: string[];
  audienceId: string;
  placement: string;
  limit: number;
  /** Unrecorded calls per method before the first phase, so both sides run JIT-compiled code. */
  primeCalls: number;
  phases: LoadPhase[];
}

/** The merged figures of every slice of one phase key. */
export interface PhaseResult {
  /** The first slice; its `durationMs` is that of one slice. */
  phase: LoadPhase;
  slices: number;
  /** Measured time summed over slices. */
  windowMs: number;
  /** Responses including warm-up ones, to divide the server's CPU time by. */
  completed: number;
  /** Requests sent in the measured part. */
  sent: number;
  ok: number;
  errors: number;
  /** Error counts by gRPC status code name (or message). */
  errorKinds: Record<string, number>;
  /** Successful responses per second over the measured part. */
  achievedPerSec: number;
  /** From each request's due time (open loop) or send time (closed loop) to its response. */
  latency: LatencySummary;
  /** Open loop only: from due time to the moment the request was handed to grpc-js. */
  sendLag: LatencySummary;
  /** The generator's own health: CPU share of one core and longest event-loop delay. */
  generator: { cpuPercent: number; loopDelayMaxMs: number };
}

/** Messages from the load generator child to the runner. */
export type LoadReport =
  | { type: 'slice-start'; key: string }
  | { type: 'slice-end'; key: string }
  | { type: 'phase'; result: PhaseResult }
  | { type: 'done' }
  | { type: 'failed'; message: string };
