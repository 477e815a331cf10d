import type { FSWatcher } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { jetstream } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { PULSE_PROTO_DIR, bindService, createGrpcServer } from '@pulse/grpc';
import type { GrpcServer } from '@pulse/grpc';
import { HEADERS, STREAMS, connectNats, deadLetterSubject, ensureStreams } from '@pulse/nats';
import { startOpsServer } from '@pulse/ops';
import type { OpsServer } from '@pulse/ops';
import { AudienceService, DecisionService, DiagnosticsService, ProfileService } from '@pulse/proto';
import { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import { audienceHandlers } from './api/audience-service.js';
import { decisionHandlers } from './api/decision-service.js';
import { diagnosticsHandlers } from './api/diagnostics-service.js';
import { profileHandlers } from './api/profile-service.js';
import { createClock } from './clock.js';
import type { ResolvedEngineConfig } from './config.js';
import type { EngineContext } from './context.js';
import { loadDefinitions, watchDefinitions } from './definitions.js';
import type { Definitions } from './definitions.js';
import { WATERMARK_KEY, applyBatch } from './ingest/apply-batch.js';
import type { BatchOutcome } from './ingest/apply-batch.js';
import { startEventConsumer } from './ingest/event-consumer.js';
import type { EventConsumer } from './ingest/event-consumer.js';
import { createEngineMetrics } from './metrics.js';
import { runDueRechecks } from './audience/update-audiences.js';
import type { Transition } from './audience/update-audiences.js';

/** The durable consumer name of the single-partition engine. */
export const ENGINE_DURABLE = 'pulse-engine';

const PROTO_FILES = [
  'pulse/v1/profile.proto',
  'pulse/v1/decision.proto',
  'pulse/v1/audience.proto',
  'pulse/v1/diagnostics.proto',
];

const DEDUPE_PRUNE_INTERVAL_MS = 60_000;

/** How often the wall clock looks for due audience re-checks. */
const RECHECK_INTERVAL_MS = 1_000;

/** Most re-checks in one transaction, so a backlog does not stall intake. */
const RECHECKS_PER_TRANSACTION = 500;

/** Time one round of re-checks may take before yielding to intake. */
const RECHECK_BUDGET_MS = 50;

/** States a running engine goes through, logged at info. */
export type EngineState = 'running' | 'stopping' | 'draining' | 'stopped';

/** A running engine: consumer, LMDB and gRPC APIs in one process. */
export interface Engine extends AsyncDisposable {
  readonly grpcPort: number;
  readonly opsPort: number;
  readonly context: EngineContext;
  /** Resolves when the engine stopped, by `stop()` or after a fatal error. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts an engine in the order config → LMDB → NATS → consumer → gRPC →
 * ready, and stops it in reverse: gRPC intake, consumer drain, NATS, LMDB.
 */
export async function startEngine(config: ResolvedEngineConfig, logger: Logger): Promise<Engine> {
  const log = logger.child({ component: 'engine' });
  const store = PulseStore.open({ path: config.dataDir });
  let definitions: Definitions = loadDefinitions(config.definitionsDir);
  const clock = createClock(config.clock, store.positions.get(WATERMARK_KEY) ?? 0);
  const context: EngineContext = { store, definitions: () => definitions, clock, logger };
  const metrics = createEngineMetrics();

  const nc = await connectNats({ servers: config.natsUrl, name: 'pulse-engine', logger });
  await ensureStreams(nc, { duplicateWindowMs: config.duplicateWindowMs });

  let state: EngineState = 'running';
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  // Filled in as startup proceeds; stop() closes whatever exists.
  const parts: {
    grpc?: GrpcServer;
    ops?: OpsServer;
    watcher?: FSWatcher;
    consumer?: EventConsumer;
  } = {};

  const recheck = { nowRuleRecheckMs: config.nowRuleRecheckMs };
  const apply = (batch: JsMsg[]) => {
    const started = performance.now();
    const outcome = applyBatch(
      { store, stream: STREAMS.raw, definitions: context.definitions, clock, recheck, logger },
      batch.map((m) => ({ seq: m.seq, data: m.data })),
    );
    metrics.recordBatch(outcome, (performance.now() - started) / 1_000);
    reportBatch(nc, batch, outcome, log);
    recheckDue();
  };

  // Audiences that change with time alone: the event clock moves with each
  // batch, the wall clock with a timer. Bounded transactions, and a bounded
  // time per call, so a backlog does not stall intake; the timer finishes it.
  const recheckDue = () => {
    const deadline = performance.now() + RECHECK_BUDGET_MS;
    const nowMs = clock.now();
    const transitions: Transition[] = [];
    let checked = 0;
    do {
      checked = runDueRechecks(
        store,
        definitions,
        nowMs,
        recheck,
        RECHECKS_PER_TRANSACTION,
        transitions,
      );
      if (checked > 0) metrics.recordRechecks(checked, transitions.splice(0));
    } while (checked === RECHECKS_PER_TRANSACTION && performance.now() < deadline);
  };
  const recheckTimer = setInterval(recheckDue, RECHECK_INTERVAL_MS);
  recheckTimer.unref();

  const stop = async () => {
    if (state !== 'running') return stopped;
    state = 'stopping';
    log.info({ state }, 'engine stopping');
    clearInterval(pruneTimer);
    clearInterval(recheckTimer);
    parts.watcher?.close();
    await parts.grpc?.shutdown(config.shutdownGraceMs);
    state = 'draining';
    log.info({ state }, 'engine draining');
    await parts.consumer?.stop();
    await nc.drain();
    await parts.ops?.close();
    await store.close();
    state = 'stopped';
    log.info({ state }, 'engine stopped');
    resolveStopped();
  };

  parts.consumer = await startEventConsumer({
    nc,
    stream: STREAMS.raw,
    durable: ENGINE_DURABLE,
    appliedSeq: store.appliedSequence(STREAMS.raw),
    maxBatch: config.batchMax,
    apply,
    onError: (err) => {
      log.fatal({ err }, 'applying a batch failed; stopping without acknowledging it');
      void stop();
    },
    logger,
  });

  const pruneTimer = setInterval(() => {
    const pruned = store.transaction(() =>
      store.pruneDedupe(Date.now() - config.dedupeRetentionMs),
    );
    if (pruned > 0) log.debug({ pruned }, 'dedupe index pruned');
  }, DEDUPE_PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  const grpc = await createGrpcServer({
    logger,
    host: config.grpcHost,
    port: config.grpcPort,
    reflection: { protoDir: PULSE_PROTO_DIR, files: PROTO_FILES },
    services: [
      bindService(ProfileService, profileHandlers(context), { logger }),
      bindService(AudienceService, audienceHandlers(context), { logger }),
      bindService(DecisionService, decisionHandlers(context), { logger }),
      bindService(DiagnosticsService, diagnosticsHandlers(), { logger }),
    ],
  });
  parts.grpc = grpc;
  const ops = await startOpsServer({
    port: config.metricsPort,
    registry: metrics.registry,
    ready: () => state === 'running',
    logger,
  });
  parts.ops = ops;
  parts.watcher = watchDefinitions(config.definitionsDir, (next) => (definitions = next), logger);
  log.info({ grpcPort: grpc.port, clock: clock.mode, state }, 'engine ready');

  return {
    grpcPort: grpc.port,
    opsPort: ops.port,
    context,
    stopped,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Logs a batch and sends undecodable messages to the dead-letter stream. */
function reportBatch(nc: NatsConnection, batch: JsMsg[], outcome: BatchOutcome, log: Logger): void {
  if (log.isLevelEnabled('debug')) {
    log.debug({ ...outcome, transitions: outcome.transitions.length }, 'batch applied');
  }
  if (outcome.undecodable.length === 0) return;
  const js = jetstream(nc);
  for (const seq of outcome.undecodable) {
    const message = batch.find((m) => m.seq === seq);
    if (!message) continue;
    const h = headers();
    h.set(HEADERS.reason, 'stream message is not a pulse.v1.Event');
    h.set(HEADERS.source, message.subject);
    js.publish(deadLetterSubject('engine'), message.data, { headers: h }).catch((err: unknown) =>
      log.error({ err, seq }, 'undecodable message could not be dead-lettered'),
    );
  }
  log.warn({ sequences: outcome.undecodable }, 'undecodable stream messages skipped');
}
