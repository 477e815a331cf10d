import type { FSWatcher } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GrpcServer } from '@pulse/grpc';
import { STREAMS, connectNats, ensureStreams } from '@pulse/nats';
import { startOpsServer } from '@pulse/ops';
import type { OpsServer } from '@pulse/ops';
import { TransitionReason } from '@pulse/proto';
import { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import * as access from './api/api-access.js';
import { audienceHandlers } from './api/audience-service.js';
import { decisionHandlers } from './api/decision-service.js';
import { profileHandlers } from './api/profile-service.js';
import { createClock } from './clock.js';
import { createDeletionRequests } from './profile/deletion-requests.js';
import { createDecisionLog } from './decision/decision-log.js';
import { LearningRuntime } from './decision/learning-state.js';
import { createDecisionMetrics } from './decision/decision-metrics.js';
import type { ResolvedEngineConfig } from './config.js';
import type { EngineContext } from './context.js';
import { startApis } from './api/start-apis.js';
import { refreshAudienceIndex } from './audience/refresh-index.js';
import { reportBatch } from './ingest/report-batch.js';
import { loadDefinitions, watchDefinitions, withAudiences } from './definitions.js';
import type { Definitions } from './definitions.js';
import { WATERMARK_KEY, applyBatchAsync } from './ingest/apply-batch.js';
import { startEventConsumer } from './ingest/event-consumer.js';
import type { EventConsumer } from './ingest/event-consumer.js';
import { createEngineMetrics } from './metrics.js';
import { startEngineObservers } from './observe/engine-observers.js';
import type { EngineObservers } from './observe/engine-observers.js';
import { startRecheckLoop } from './audience/recheck-loop.js';
import { startTransitionPublisher } from './audience/transition-publisher.js';
import type { TransitionPublisher } from './audience/transition-publisher.js';
import type { RecheckLoop } from './audience/recheck-loop.js';
import { startDedupePruner } from './ingest/dedupe-pruner.js';
import { BackfillStatus } from './audience/backfill.js';
import { openAudienceStore, toDefinition } from './audience/definition-store.js';
import { OWN_ALL } from './partition/ownership.js';
import { readHeld } from './partition/partition-data.js';
import { checkNameFree, checkPartitionCount } from './partition/partition-leases.js';
import { PartitionTable } from './partition/partition-table.js';
import { partitionMethods } from './partition/route-calls.js';
import type { LocalHandlers } from './partition/route-calls.js';
import { startPartitioning } from './partition/start-partitioning.js';
import type { Partitioning } from './partition/start-partitioning.js';
import type { AudienceDefinitionStore, StoredAudience } from './audience/definition-store.js';

/** States a running engine goes through, logged at info. */
export type EngineState = 'starting' | 'running' | 'stopping' | 'draining' | 'stopped';

/** How an engine ended: `error` is set when a fatal fault stopped it. */
export interface EngineExit {
  error?: unknown;
}

/** Options for {@link startEngine} beyond the config. */
export interface StartEngineOptions {
  /** Aborting it during startup stops the engine as soon as it can. */
  signal?: AbortSignal;
  /** Called once when the stop begins, whatever started it (a request or a fault). */
  onStopping?: () => void;
}

/** A running engine: consumer, LMDB and gRPC APIs in one process. */
export interface Engine extends AsyncDisposable {
  readonly grpcPort: number;
  readonly opsPort: number;
  readonly context: EngineContext;
  /** Consumer lag, LMDB and audience size gauges; `refresh()` them to read now. */
  readonly observers: EngineObservers;
  /** Resolves when the engine stopped, by `stop()` or after a fatal error. */
  readonly stopped: Promise<EngineExit>;
  /**
   * The last raw-stream sequence applied in full: committed in LMDB and in the
   * state the engine keeps in memory (learned offers). LMDB readers may see a
   * commit a moment before this moves.
   */
  appliedSequence(): number;
  stop(): Promise<EngineExit>;
}

/** Startup was abandoned because the engine was asked to stop or failed. */
export class EngineStoppedError extends Error {
  override name = 'EngineStoppedError';
}

/**
 * Starts an engine in the order config → LMDB → audience index → NATS →
 * gRPC and probes → consumer → ready, and stops it in reverse: gRPC intake,
 * consumer drain, NATS, LMDB. A fatal fault at any point stops it with the
 * error in `stopped`.
 */
export async function startEngine(
  config: ResolvedEngineConfig,
  logger: Logger,
  options: StartEngineOptions = {},
): Promise<Engine> {
  const log = logger.child({ component: 'engine' });
  const security = access.loadApiSecurity(config, logger);
  const store = PulseStore.open({ path: config.dataDir });
  let fileDefinitions: Definitions = loadDefinitions(config.definitionsDir);
  let definitions = fileDefinitions;
  // The audiences from the key-value bucket, once read (PULSE_AUDIENCE_STORE=kv).
  let storedAudiences: StoredAudience[] | undefined;
  const backfill = new BackfillStatus();
  const clock = createClock(config.clock, store.positions.get(WATERMARK_KEY) ?? 0);
  const table =
    config.partitions > 1
      ? new PartitionTable(config.partitions, config.consumerName, config.leaseMs)
      : undefined;
  const context: EngineContext = {
    store,
    definitions: () => definitions,
    clock,
    logger,
    stream: STREAMS.raw,
    learning: LearningRuntime.load(store, definitions.decisions.learning),
    ownership: table ?? OWN_ALL,
  };
  let appliedThrough = store.appliedSequence(STREAMS.raw);
  const metrics = createEngineMetrics(appliedThrough, () => store.countProfiles());
  context.decisionMetrics = createDecisionMetrics(metrics.registry, () => context.learning.stats);
  security.control.register(metrics.registry);
  const recheck = { nowRuleRecheckMs: config.nowRuleRecheckMs };

  let state: EngineState = 'starting';
  let exit: EngineExit = {};
  let resolveStopped!: (exit: EngineExit) => void;
  const stopped = new Promise<EngineExit>((resolve) => (resolveStopped = resolve));
  // Filled in as startup proceeds; stop() closes whatever exists.
  const parts: {
    nc?: NatsConnection;
    grpc?: GrpcServer;
    ops?: OpsServer;
    watcher?: FSWatcher;
    consumer?: EventConsumer;
    rechecks?: RecheckLoop;
    publisher?: TransitionPublisher;
    pruner?: { stop(): void };
    audienceStore?: AudienceDefinitionStore;
    audienceWatch?: { stop(): void };
    partitioning?: Partitioning;
    observers?: EngineObservers;
  } = {};

  const stop = async (): Promise<EngineExit> => {
    if (state === 'stopping' || state === 'draining' || state === 'stopped') return stopped;
    state = 'stopping';
    log.info({ state }, 'engine stopping');
    options.onStopping?.();
    parts.rechecks?.stop();
    parts.pruner?.stop();
    parts.watcher?.close();
    parts.audienceWatch?.stop();
    parts.observers?.stop();
    await parts.grpc?.shutdown(config.shutdownGraceMs);
    await context.decisions?.close(Math.min(config.shutdownGraceMs, 5_000));
    await parts.partitioning?.stop();
    state = 'draining';
    log.info({ state }, 'engine draining');
    await parts.consumer?.stop();
    await parts.publisher?.drain();
    await parts.publisher?.stop();
    await parts.nc?.drain();
    await parts.ops?.close();
    await store.close();
    state = 'stopped';
    log.info({ state }, 'engine stopped');
    resolveStopped(exit);
    return exit;
  };
  const fail = (err: unknown, message: string) => {
    log.fatal({ err }, message);
    exit = { error: err };
    void stop();
  };
  // Between startup steps: give up when asked to stop or after a fault.
  const proceed = async <T>(step: Promise<T>): Promise<T> => {
    const value = await step;
    if (options.signal?.aborted && state === 'starting') await stop();
    if (state !== 'starting') throw new EngineStoppedError('engine stopped during startup');
    return value;
  };

  try {
    // A stop request cuts a long rebuild short; the next start redoes it.
    const keepGoing = () =>
      !options.signal?.aborted && (state === 'starting' || state === 'running');
    const reason = config.audienceStore === 'kv' ? TransitionReason.BACKFILL : undefined;
    const refresh = (previous: Definitions | undefined) =>
      refreshAudienceIndex(context, config, recheck, log, keepGoing, {
        reason,
        previous,
        backfill,
      });
    // Takes new definitions in force and backfills them in the background.
    const swap = (next: Definitions) => {
      const previous = definitions;
      definitions = next;
      refresh(previous).catch((err: unknown) => fail(err, 'rebuilding the audience index failed'));
    };
    // Audiences from the bucket over the features and offers from files.
    const applyStored = (audiences: StoredAudience[]): Definitions | undefined => {
      try {
        const next = withAudiences(fileDefinitions, audiences.map(toDefinition));
        storedAudiences = audiences;
        return next;
      } catch (err) {
        log.error({ err }, 'stored audiences rejected; keeping the ones in force');
        return undefined;
      }
    };

    if (config.audienceStore === 'file') await proceed(refresh(undefined));
    parts.nc = await proceed(
      connectNats({
        servers: config.natsUrl,
        name: 'pulse-engine',
        logger,
        security: config.nats,
      }),
    );
    const streamOptions = {
      duplicateWindowMs: config.duplicateWindowMs,
      replicas: config.streamReplicas,
    };
    await proceed(ensureStreams(parts.nc, streamOptions));
    checkHeldCount(store, config.partitions);
    if (table) {
      await proceed(checkPartitionCount(parts.nc, table.count));
      await proceed(checkNameFree(parts.nc, table.self, config.leaseMs));
    }
    parts.observers = startEngineObservers({
      registry: metrics.registry,
      store,
      nc: parts.nc,
      stream: STREAMS.raw,
      logger,
      audienceIds: () => definitions.audiences.ids,
    });
    context.deletions = createDeletionRequests(parts.nc);
    context.decisions = createDecisionLog(parts.nc, { logger });
    if (config.audienceStore === 'kv') {
      const audienceStore = await proceed(openAudienceStore(parts.nc, logger));
      parts.audienceStore = audienceStore;
      await proceed(audienceStore.seed(storedFrom(fileDefinitions)));
      definitions = applyStored(await proceed(audienceStore.list())) ?? definitions;
      await proceed(refresh(undefined));
      parts.audienceWatch = audienceStore.watch((audiences) => {
        const next = applyStored(audiences);
        if (next) swap(next);
      });
    }
    const admin = { store: parts.audienceStore, backfill };
    const local: LocalHandlers = {
      profile: profileHandlers(context),
      decision: decisionHandlers(context),
      audience: audienceHandlers(context),
    };
    const router = table && { ctx: context, table, nc: parts.nc };
    parts.grpc = await proceed(startApis(config, context, local, router, admin, security));
    parts.ops = await proceed(
      startOpsServer({
        port: config.metricsPort,
        host: config.metricsHost,
        registry: metrics.registry,
        ready: () => state === 'running',
        logger,
      }),
    );

    const rechecks = startRecheckLoop({
      store,
      definitions: context.definitions,
      clock,
      policy: recheck,
      metrics,
    });
    parts.rechecks = rechecks;
    parts.pruner = startDedupePruner(store, config.dedupeRetentionMs, log);
    const nc = parts.nc;
    const publisher = startTransitionPublisher(store, nc, logger);
    parts.publisher = publisher;
    parts.consumer = await proceed(
      startEventConsumer({
        nc,
        stream: STREAMS.raw,
        durable: config.consumerName,
        appliedSeq: store.appliedSequence(STREAMS.raw),
        maxBatch: config.batchMax,
        maxWaitMs: config.batchWaitMs,
        budgetMs: config.batchBudgetMs,
        apply: async (batch) => {
          const started = performance.now();
          const outcome = await applyBatchAsync(
            {
              store,
              stream: STREAMS.raw,
              definitions: context.definitions,
              clock,
              recheck,
              logger,
              learning: context.learning,
              ownership: context.ownership,
            },
            batch.map((m) => ({ seq: m.seq, data: m.data })),
          );
          appliedThrough = Math.max(appliedThrough, outcome.lastSeq);
          metrics.recordBatch(outcome, (performance.now() - started) / 1_000);
          reportBatch(nc, batch, outcome, log);
          rechecks.runDue();
          void publisher.drain();
          return outcome.holdMs;
        },
        onError: (err) => fail(err, 'consuming events failed; stopping without acknowledging more'),
        logger,
      }),
    );
    if (table) {
      parts.partitioning = await proceed(
        startPartitioning({
          nc,
          config,
          context,
          table,
          consumer: parts.consumer,
          recheck,
          methods: partitionMethods(local),
          registry: metrics.registry,
          logger,
        }),
      );
    }
    parts.watcher = watchDefinitions(
      config.definitionsDir,
      (next) => {
        fileDefinitions = next;
        const withStored = storedAudiences ? applyStored(storedAudiences) : next;
        if (withStored) swap(withStored);
      },
      logger,
    );
  } catch (err) {
    if (state === 'starting') fail(err, 'engine failed to start');
    await stopped;
    throw err instanceof EngineStoppedError
      ? err
      : new EngineStoppedError('engine failed to start', { cause: err });
  }
  state = 'running';
  log.info({ grpcPort: parts.grpc.port, clock: clock.mode, state }, 'engine ready');
  return {
    grpcPort: parts.grpc.port,
    opsPort: parts.ops.port,
    context,
    observers: parts.observers,
    stopped,
    appliedSequence: () => appliedThrough,
    stop,
    [Symbol.asyncDispose]: async () => void (await stop()),
  };
}

/**
 * A data directory holds the partitions of one partition count: refuses to
 * run it with another (it would serve profiles it holds no state of).
 */
function checkHeldCount(store: PulseStore, partitions: number): void {
  const held = readHeld(store);
  if (held && held.count !== partitions) {
    throw new Error(
      `the data directory holds partitions of an installation with ${held.count} ` +
        `partitions, not PULSE_PARTITIONS=${partitions}`,
    );
  }
}

/** The audiences of file definitions in the form the bucket stores. */
function storedFrom(defs: Definitions): StoredAudience[] {
  return defs.audiences.ids.map((id) => {
    const { name, expression, description, version } = defs.audiences.get(id)!;
    return { id, name, expression, description: description ?? '', version };
  });
}
