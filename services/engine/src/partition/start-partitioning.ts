import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { RecheckPolicy } from '../audience/update-audiences.js';
import type { ResolvedEngineConfig } from '../config.js';
import type { EngineContext } from '../context.js';
import type { EventConsumer } from '../ingest/event-consumer.js';
import { serveForwardedCalls } from './forward-calls.js';
import type { ForwardedMethod } from './forward-calls.js';
import { readHeld, stripPartitions, writeHeld } from './partition-data.js';
import { startPartitionLeases } from './partition-leases.js';
import type { PartitionTable } from './partition-table.js';
import { rebuildPartitions } from './rebuild-partitions.js';

/** What a partitioned engine runs besides the unpartitioned one. */
export interface Partitioning {
  stop(): Promise<void>;
}

/** What {@link startPartitioning} wires together. */
export interface PartitioningOptions {
  nc: NatsConnection;
  config: ResolvedEngineConfig;
  context: EngineContext;
  table: PartitionTable;
  consumer: EventConsumer;
  recheck: RecheckPolicy;
  /** Local handlers answered for other engines. */
  methods: ForwardedMethod[];
  /** Where the partition gauges register. */
  registry: Registry;
  logger: Logger;
}

/**
 * The partitions this LMDB holds: as recorded, or every partition for a
 * store that applied events before it was partitioned (a full replica).
 */
export function heldPartitions(store: PulseStore, stream: string, count: number): number[] {
  const held = readHeld(store);
  if (held) return held.partitions;
  if (store.appliedSequence(stream) === 0) return [];
  return Array.from({ length: count }, (_, p) => p);
}

/**
 * Serves forwarded calls and runs the partition leases: claimed partitions
 * are rebuilt from the stream while the consumer goes on, released ones
 * are stripped, both between batches.
 */
export async function startPartitioning(options: PartitioningOptions): Promise<Partitioning> {
  const { context, table, consumer, config } = options;
  const { store } = context;
  const log = options.logger.child({ component: 'partitions', engine: table.self });
  const subscription: Subscription = serveForwardedCalls(
    options.nc,
    table.self,
    options.methods,
    options.logger,
    (partitions) => partitions.every((p) => table.ownsPartition(p)),
  );
  new Gauge({
    name: 'pulse_engine_partitions_owned',
    help: 'Partitions this engine has built and serves',
    registers: [options.registry],
    collect() {
      this.set(table.ownedPartitions().length);
    },
  });
  const abort = new AbortController();
  const leases = await startPartitionLeases({
    nc: options.nc,
    table,
    leaseMs: config.leaseMs,
    logger: options.logger,
    held: heldPartitions(store, context.stream, table.count),
    appliedSequence: () => store.appliedSequence(context.stream),
    build: async (partitions, publishAfterSeq, own) => {
      await rebuildPartitions({
        nc: options.nc,
        live: {
          store,
          stream: context.stream,
          appliedSequence: () => store.appliedSequence(context.stream),
          pause: () => consumer.pause(),
          resume: () => consumer.resume(),
        },
        scratchDir: config.dataDir,
        definitions: context.definitions,
        clockMode: config.clock,
        recheck: options.recheck,
        count: table.count,
        partitions,
        publishAfterSeq,
        logger: options.logger,
        signal: abort.signal,
        onCopied: own,
      });
    },
    release: (partitions) => {
      const gone = new Set(partitions);
      const stripped = store.transaction(() => {
        const n = stripPartitions(store, table.count, gone);
        const held = (readHeld(store)?.partitions ?? []).filter((p) => !gone.has(p));
        writeHeld(store, { count: table.count, partitions: held });
        return n;
      });
      log.info({ partitions, profiles: stripped }, 'partitions released');
    },
    onError: (err) => log.error({ err }, 'partition leases are failing'),
  });
  return {
    async stop() {
      abort.abort();
      await leases.stop();
      await subscription.drain().catch(() => undefined);
    },
  };
}
