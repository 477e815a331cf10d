import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';

/** How often the stream's last sequence is read from JetStream. @default 5 s */
export const DEFAULT_LAG_POLL_MS = 5_000;

/** Options for {@link startConsumerLag}. */
export interface ConsumerLagOptions {
  registry: Registry;
  nc: NatsConnection;
  stream: string;
  /** The last stream sequence committed to LMDB, read at each scrape. */
  appliedSeq: () => number;
  logger: Logger;
  /** @default DEFAULT_LAG_POLL_MS */
  pollMs?: number;
}

/** A running lag poller; `stop()` ends the polling. */
export interface ConsumerLag {
  /** Reads the stream's last sequence now; resolves once the value is cached. */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Exports `pulse_engine_consumer_lag_messages`: the stream's last sequence
 * minus the sequence LMDB last committed. The last sequence is polled in the
 * background and cached, so a scrape never waits on NATS; the applied
 * sequence is read live. Until the first poll answers, neither gauge has a
 * series (rather than a made-up 0).
 */
export function startConsumerLag(options: ConsumerLagOptions): ConsumerLag {
  const log = options.logger.child({ component: 'consumer-lag' });
  // The stream's last sequence as of the latest successful poll; undefined before.
  let lastSeq: number | undefined;
  const { stream } = options;
  new Gauge({
    name: 'pulse_engine_stream_last_sequence',
    help: 'Last sequence of the consumed stream, polled from JetStream',
    labelNames: ['stream'] as const,
    registers: [options.registry],
    collect() {
      this.reset();
      if (lastSeq !== undefined) this.set({ stream }, lastSeq);
    },
  });
  new Gauge({
    name: 'pulse_engine_consumer_lag_messages',
    help: 'Stream messages not yet committed to LMDB (last sequence minus applied sequence)',
    labelNames: ['stream'] as const,
    registers: [options.registry],
    collect() {
      this.reset();
      if (lastSeq !== undefined) this.set({ stream }, Math.max(0, lastSeq - options.appliedSeq()));
    },
  });

  let failing = false;
  const refresh = async () => {
    try {
      const jsm = await jetstreamManager(options.nc);
      lastSeq = (await jsm.streams.info(stream)).state.last_seq;
      if (failing) log.info('stream info readable again');
      failing = false;
    } catch (err) {
      // Keep the last value: lag computed from it still falls as batches apply.
      if (!failing) log.warn({ err }, 'stream info unavailable; consumer lag is stale');
      failing = true;
    }
  };
  const timer = setInterval(() => void refresh(), options.pollMs ?? DEFAULT_LAG_POLL_MS);
  timer.unref();
  void refresh();
  return { refresh, stop: () => clearInterval(timer) };
}
