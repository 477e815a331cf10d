import { setTimeout as sleep } from 'node:timers/promises';
import { status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { resolveCollectorConfig, startCollector } from '@pulse/collector';
import type { Collector } from '@pulse/collector';
import { createClient } from '@pulse/grpc';
import type { ClientOptions } from '@pulse/grpc';
import { silentLogger } from '@pulse/logging';
import { DiagnosticsService } from '@pulse/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { startTcpProxy } from '../harness/tcp-proxy.js';
import type { TcpProxy } from '../harness/tcp-proxy.js';

/** Keepalive scaled down from 30 s + 10 s so that a test sees several rounds. */
const FAST_KEEPALIVE: ClientOptions = {
  channelOptions: { 'grpc.keepalive_time_ms': 300, 'grpc.keepalive_timeout_ms': 300 },
};

/** How long one Ping took, and its error when it failed. */
async function timedPing(
  client: ReturnType<typeof createClient<typeof DiagnosticsService>>,
  deadlineMs: number,
): Promise<{ ms: number; error?: ServiceError }> {
  const started = performance.now();
  try {
    await client.ping({}, { deadlineMs });
    return { ms: performance.now() - started };
  } catch (err) {
    return { ms: performance.now() - started, error: err as ServiceError };
  }
}

describe('gRPC clients against a real collector', () => {
  let env: TestEnv;
  let collector: Collector;
  const closers: (() => unknown)[] = [];

  beforeAll(async () => {
    env = await setup();
    const config = resolveCollectorConfig({
      NATS_URL: env.nats.url,
      PULSE_COLLECTOR_GRPC_PORT: '0',
      PULSE_COLLECTOR_METRICS_PORT: '0',
    });
    collector = await startCollector(config, silentLogger());
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  afterAll(async () => {
    await collector.stop();
    await env.cleanup();
  });

  const client = (address: string, options: ClientOptions = {}) => {
    const created = createClient(DiagnosticsService, address, options);
    closers.push(() => created.close());
    return created;
  };

  const proxy = async (): Promise<TcpProxy> => {
    const started = await startTcpProxy(collector.grpcPort);
    closers.push(() => started.close());
    return started;
  };

  it('answers within the deadline after the channel sat idle under keepalive pings', async () => {
    const idle = client(`127.0.0.1:${collector.grpcPort}`, FAST_KEEPALIVE);
    expect((await timedPing(idle, 1_000)).error).toBeUndefined();

    // About eight pings while idle: a server that refused them would send GOAWAY.
    await sleep(2_500);
    const after = await timedPing(idle, 1_000);
    expect(after.error).toBeUndefined();
    expect(after.ms).toBeLessThan(1_000);
  });

  it('answers after the channel itself went idle and has to reconnect', async () => {
    const options = { channelOptions: { 'grpc.client_idle_timeout_ms': 1_000 } };
    const idle = client(`127.0.0.1:${collector.grpcPort}`, options);
    expect((await timedPing(idle, 1_000)).error).toBeUndefined();

    await sleep(2_500);
    const after = await timedPing(idle, 1_000);
    expect(after.error).toBeUndefined();
    expect(after.ms).toBeLessThan(1_000);
  });

  it('fails a call on a silently cut path with DEADLINE_EXCEEDED at its deadline', async () => {
    const path = await proxy();
    const cut = client(`127.0.0.1:${path.port}`);
    expect((await timedPing(cut, 1_000)).error).toBeUndefined();

    path.blackhole();
    const during = await timedPing(cut, 1_000);
    expect(during.error?.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(during.ms).toBeGreaterThanOrEqual(990);
    expect(during.ms).toBeLessThan(1_200);
  });

  it('drops the dead connection by keepalive and answers again once the path is back', async () => {
    const path = await proxy();
    const cut = client(`127.0.0.1:${path.port}`, FAST_KEEPALIVE);
    expect((await timedPing(cut, 1_000)).error).toBeUndefined();

    path.blackhole();
    // Keepalive (0.6 s) may notice the dead peer before the 1 s deadline passes.
    const during = await timedPing(cut, 1_000);
    expect([Status.DEADLINE_EXCEEDED, Status.UNAVAILABLE]).toContain(during.error?.code);
    expect(during.ms).toBeLessThan(1_200);
    path.heal();

    // The old connection stays silent forever; only a new one gets through.
    const healedAt = performance.now();
    let last = await timedPing(cut, 1_000);
    while (last.error && performance.now() - healedAt < 5_000) last = await timedPing(cut, 1_000);
    expect(last.error).toBeUndefined();
    expect(performance.now() - healedAt).toBeLessThan(3_000);
  });
});
