import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { silentLogger } from '@pulse/logging';
import { STREAMS, ensureStreams, rawSubject } from '@pulse/nats';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConsumerLag } from '../src/observe/consumer-lag.js';
import { setup } from '../../../tests/harness/index.js';
import type { TestEnv } from '../../../tests/harness/index.js';

/** The raw stream's series of `name` in Prometheus text, or undefined when absent. */
async function metricValue(registry: Registry, name: string): Promise<number | undefined> {
  const series = `${name}{stream="${STREAMS.raw}"} `;
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(series));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('startConsumerLag', () => {
  let env: TestEnv;
  let nc: NatsConnection;

  beforeEach(async () => {
    env = await setup();
    nc = await connect({ servers: env.nats.url });
    await ensureStreams(nc);
  });

  afterEach(async () => {
    await nc.close();
    await env.cleanup();
  });

  it('reports the stream messages past the applied sequence', async () => {
    const js = jetstream(nc);
    for (let i = 0; i < 5; i += 1) await js.publish(rawSubject('lag'), new Uint8Array([i]));
    let applied = 2;
    const registry = new Registry();
    const lag = startConsumerLag({
      registry,
      nc,
      stream: STREAMS.raw,
      appliedSeq: () => applied,
      logger: silentLogger(),
      pollMs: 60_000,
    });
    await lag.refresh();
    expect(await metricValue(registry, 'pulse_engine_stream_last_sequence')).toBe(5);
    expect(await metricValue(registry, 'pulse_engine_consumer_lag_messages')).toBe(3);

    // The applied side is read at scrape time, without another poll.
    applied = 5;
    expect(await metricValue(registry, 'pulse_engine_consumer_lag_messages')).toBe(0);
    lag.stop();
  });

  it('exports nothing until JetStream answered once', async () => {
    const registry = new Registry();
    const lag = startConsumerLag({
      registry,
      nc,
      stream: 'NO_SUCH_STREAM',
      appliedSeq: () => 0,
      logger: silentLogger(),
      pollMs: 60_000,
    });
    await lag.refresh();
    expect(await registry.metrics()).not.toContain('pulse_engine_consumer_lag_messages{');
    lag.stop();
  });
});
