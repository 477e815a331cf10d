import { join } from 'node:path';
import { publishCalls } from '@pulse/client';
import { resolveCollectorConfig, startCollector } from '@pulse/collector';
import type { Collector } from '@pulse/collector';
import { loadDefinitions } from '@pulse/engine';
import { readFeatures } from '@pulse/features';
import { silentLogger } from '@pulse/logging';
import { STREAMS, freePort } from '@pulse/nats';
import { PulseStore } from '@pulse/store';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
import { RETAIL_DEFINITIONS } from '../harness/stack.js';
import { READ_AT_MS, generateStream } from './merge-heavy-stream.js';

/** Fractions of the stream at which engine A is killed. */
const KILL_AT = [0.3, 0.6];
/** Small batches make A commit often; B's larger ones also check batching changes nothing. */
const BATCH_MAX_A = 40;
const BATCH_MAX_B = 500;

/** What one engine's LMDB holds, in a form two runs can be compared by. */
function snapshot(dataDir: string) {
  const store = PulseStore.open({ path: dataDir });
  const defs = loadDefinitions(RETAIL_DEFINITIONS);
  try {
    const profiles = Array.from(store.profileIds(), (id) => {
      const record = store.getProfile(id)!;
      return {
        id,
        identifiers: record.identifiers.map(([type, value]) => `${type}:${value}`).sort(),
        traits: record.traits,
        features: readFeatures(record.features as never, defs.features, READ_AT_MS),
        audiences: record.audiences,
        merges: record.merges ?? [],
      };
    });
    return {
      profiles,
      identities: Array.from(store.identities.getRange(), ({ key, value }) => [key, value]),
      members: Array.from(store.members.getKeys()),
      appliedSeq: store.appliedSequence(STREAMS.raw),
    };
  } finally {
    void store.close();
  }
}

describe('identity resolution through SIGKILLs of the engine', () => {
  let env: TestEnv;
  let collector: Collector;
  let nc: NatsConnection;

  beforeAll(async () => {
    env = await setup();
    collector = await startCollector(
      resolveCollectorConfig({
        NATS_URL: env.nats.url,
        PULSE_COLLECTOR_GRPC_PORT: '0',
        PULSE_COLLECTOR_METRICS_PORT: '0',
      }),
      silentLogger(),
    );
    nc = await connect({ servers: env.nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await collector?.stop();
    await env?.cleanup();
  });

  /** A child engine with its own LMDB folder, consumer and metrics port. */
  async function engine(name: string, batchMax: number) {
    const metricsPort = await freePort();
    const handle = await spawnEngine(env, {
      PULSE_DATA_DIR: join(env.dir, name),
      PULSE_CONSUMER_NAME: name,
      PULSE_METRICS_PORT: String(metricsPort),
      PULSE_BATCH_MAX: String(batchMax),
    });
    return { handle, applied: () => appliedSequence(metricsPort) };
  }

  async function appliedSequence(metricsPort: number): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return Number(/^pulse_engine_applied_sequence (\S+)$/m.exec(text)?.[1] ?? 0);
  }

  async function stop(engineProcess: EngineProcess): Promise<void> {
    engineProcess.child.kill('SIGTERM');
    expect(await engineProcess.exited, engineProcess.output()).toBe(0);
  }

  it('ends, after restarts on the same LMDB, where an uninterrupted engine ends', async () => {
    const generated = generateStream();
    const totals = await publishCalls(
      (async function* () {
        yield* generated.calls;
      })(),
      { nc, source: 'crash' },
    );
    expect(totals.accepted, JSON.stringify(totals.rejections)).toBe(generated.calls.length);
    const lastSeq = (await (await jetstreamManager(nc)).streams.info(STREAMS.raw)).state.last_seq;

    const b = await engine('engine-b', BATCH_MAX_B);
    let a = await engine('engine-a', BATCH_MAX_A);
    for (const fraction of KILL_AT) {
      await waitFor(
        async () => ((await a.applied()) >= lastSeq * fraction ? true : undefined),
        60_000,
        5,
      );
      a.handle.child.kill('SIGKILL');
      expect(await a.handle.exited).toBe('SIGKILL');
      const appliedAtKill = snapshot(join(env.dir, 'engine-a')).appliedSeq;
      expect(appliedAtKill).toBeLessThan(lastSeq);
      a = await engine('engine-a', BATCH_MAX_A);
    }
    for (const running of [a, b]) {
      await waitFor(async () => ((await running.applied()) >= lastSeq ? true : undefined), 60_000);
      await stop(running.handle);
    }

    const expected = snapshot(join(env.dir, 'engine-b'));
    const actual = snapshot(join(env.dir, 'engine-a'));
    expect(actual.profiles).toEqual(expected.profiles);
    expect(actual.identities).toEqual(expected.identities);
    expect(actual.members).toEqual(expected.members);

    // Figures worked out from the generated stream.
    const sum = (id: string) =>
      expected.profiles.reduce((total, p) => total + (p.features[id] as number), 0);
    expect(sum('spend_lifetime')).toBe(generated.revenue);
    expect(sum('orders_lifetime')).toBe(generated.orders);
    const holders = expected.profiles.flatMap((p) =>
      p.identifiers.filter((i) => i.startsWith('user_id:')),
    );
    expect(holders.sort()).toEqual([...generated.users].map((u) => `user_id:${u}`).sort());
    expect(expected.profiles.every((p) => p.identifiers.length > 0)).toBe(true);
    expect(expected.profiles.some((p) => p.merges.length > 0)).toBe(true);
  }, 180_000);
});
