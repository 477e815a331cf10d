import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Definitions } from './definitions.js';
import type { DecisionLog } from './decision/decision-log.js';
import type { DecisionMetrics } from './decision/decision-metrics.js';
import type { LearningRuntime } from './decision/learning-state.js';
import type { Ownership } from './partition/ownership.js';
import type { DeletionRequests } from './profile/deletion-requests.js';

/** What the engine's API handlers and batch applier share. */
export interface EngineContext {
  store: PulseStore;
  /** The definitions in force; replaced atomically on reload. */
  definitions: () => Definitions;
  clock: Clock;
  logger: Logger;
  /** Queues deletions on the event stream; set once NATS is connected. */
  deletions?: DeletionRequests;
  /** The stream whose applied sequence says how far the engine got. */
  stream: string;
  /** The learned offer state and this engine's pending impressions. */
  learning: LearningRuntime;
  /** Puts decisions on the raw stream; set once NATS is connected. */
  decisions?: DecisionLog;
  /** The profiles whose state this engine keeps and serves (all, unless partitioned). */
  ownership: Ownership;
  /** Decision latency and offer counters for Prometheus. */
  decisionMetrics?: DecisionMetrics;
}
