import type { NatsConnection } from '@nats-io/transport-node';
import type { PulseStore } from '@pulse/store';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { startAudienceSizes } from './audience-sizes.js';
import type { AudienceSizes } from './audience-sizes.js';
import { startConsumerLag } from './consumer-lag.js';
import type { ConsumerLag } from './consumer-lag.js';
import { registerStoreSize } from './store-size.js';

/** Options for {@link startEngineObservers}. */
export interface EngineObserversOptions {
  registry: Registry;
  store: PulseStore;
  nc: NatsConnection;
  /** The stream the engine consumes. */
  stream: string;
  /** The ids of the audiences in force. */
  audienceIds: () => readonly string[];
  logger: Logger;
  /** @default 5 s */
  lagPollMs?: number;
  /** @default 30 s */
  sizesIntervalMs?: number;
}

/** The engine's state gauges and the background reads that feed them. */
export interface EngineObservers {
  readonly lag: ConsumerLag;
  readonly audienceSizes: AudienceSizes;
  stop(): void;
}

/**
 * Adds consumer lag, LMDB size and audience sizes to the engine's registry.
 * Scrapes read cached or local values only, never NATS.
 */
export function startEngineObservers(options: EngineObserversOptions): EngineObservers {
  const { registry, store, logger } = options;
  registerStoreSize(registry, store);
  const lag = startConsumerLag({
    registry,
    nc: options.nc,
    stream: options.stream,
    appliedSeq: () => store.appliedSequence(options.stream),
    logger,
    pollMs: options.lagPollMs,
  });
  const audienceSizes = startAudienceSizes({
    registry,
    store,
    audienceIds: options.audienceIds,
    logger,
    intervalMs: options.sizesIntervalMs,
  });
  return {
    lag,
    audienceSizes,
    stop() {
      lag.stop();
      audienceSizes.stop();
    },
  };
}
