/**
 * Restart checks (issue 7): an engine SIGKILLed and started again on the
 * same data folder within its lease keeps its partitions without a rebuild,
 * and every profile then equals an unpartitioned engine's.
 */
import { join } from 'node:path';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { PulseStore } from '@pulse/store';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnCollector } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
import { READ_AT_MS, generateStream } from './merge-heavy-stream.js';
import {
  caughtUp,
  featureValue,
  owned,
  publish,
  retried,
  settled,
  startNode,
  stopNode,
} from './partition-nodes.js';
import type { EngineNode } from './partition-nodes.js';

const PARTITIONS = 6;
const LEASE_MS = 15_000;

describe('an engine restarted within its lease', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  const generated = generateStream('held');
  let k1: EngineNode;
  let k2: EngineNode;
  let restarted: EngineNode;
  let reference: EngineNode;
  let ownedBefore = 0;

  beforeAll(async () => {
    env = await setup();
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
    const partitioned = { PULSE_PARTITIONS: String(PARTITIONS), PULSE_LEASE_MS: String(LEASE_MS) };
    const started = await Promise.all(['r1', 'r2'].map((n) => startNode(env, n, partitioned)));
    k1 = started[0]!;
    k2 = started[1]!;
    reference = await startNode(env, 'reference', {});
    nodes.push(k1!, k2!, reference);
    await settled([k1!, k2!], PARTITIONS, LEASE_MS);
    const half = Math.floor(generated.calls.length / 2);
    await publish(nc, generated.calls.slice(0, half), 'held');
    await caughtUp(nc, [k1!, k2!]);
    ownedBefore = (await owned([k1!]))[0]!;

    k1!.handle.child.kill('SIGKILL');
    await k1!.handle.exited;
    restarted = await startNode(env, 'r1', partitioned);
    nodes.push(restarted);
    await publish(nc, generated.calls.slice(half), 'held');
    await settled([restarted, k2!], PARTITIONS, LEASE_MS);
    await caughtUp(nc, [restarted, k2!, reference]);
  }, 240_000);

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  it('keeps its partitions without a rebuild', async () => {
    const log = restarted.handle.output();
    const lines = log
      .split('\n')
      .filter((l) => /partition/.test(l))
      .map((l) => l.slice(0, 400))
      .join('\n');
    process.stdout.write(`restarted engine:\n${lines}\n`);
    expect(log).toContain('partitions LMDB held before the restart');
    expect(log, lines).not.toContain('partitions rebuilt from the stream');
    expect((await owned([restarted]))[0]).toBe(ownedBefore);
  });

  it('ends with the unpartitioned figures', async () => {
    const asOf = timestampFromMs(READ_AT_MS);
    const store = PulseStore.open({ path: join(env.dir, reference.name) });
    const ids = Array.from(store.profileIds());
    await store.close();
    let spend = 0;
    const differing: string[] = [];
    for (const [i, id] of ids.entries()) {
      const identifier = { type: 'profile_id', value: id };
      const expected = (await reference.profiles.getProfile({ identifier, asOf })).profile!;
      const node = i % 2 ? restarted : k2;
      const actual = (await retried(() => node.profiles.getProfile({ identifier, asOf }))).profile!;
      const a = featureValue(actual, 'spend_lifetime');
      spend += a;
      if (a !== featureValue(expected, 'spend_lifetime')) differing.push(id);
      expect(actual.traits, id).toEqual(expected.traits);
      expect(actual.audiences, id).toEqual(expected.audiences);
    }
    expect(differing).toEqual([]);
    expect(spend).toBe(generated.revenue);
  }, 120_000);
});
