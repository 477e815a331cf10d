/**
 * Break test (issue 7): the mark that keeps a re-sent MERGED_STATE from
 * counting twice lives in the dedupe index, which forgets message ids after
 * PULSE_DEDUPE_RETENTION_MS. The README asks operators to keep PULSE_RAW
 * longer than that ("set the retention of PULSE_RAW to the longest window
 * you use"), so a partition moved later than the dedupe retention after a
 * merge re-sends the absorbed state, and the survivor's owner (and any
 * unpartitioned replica) adds it again.
 *
 * The retention is cut to its minimum (60 s) to reach that point in a test.
 * Expected figures: the stream's revenue, and a fresh unpartitioned engine
 * that reads the whole stream at the end (its marks are fresh, so it drops
 * the copies).
 */
import { join } from 'node:path';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { PulseStore } from '@pulse/store';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, waitFor } from '../harness/index.js';
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
const LEASE_MS = 3_000;
const RETENTION_MS = 60_000;

describe('a partition moved after the dedupe retention', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  const generated = generateStream('late');
  let e1: EngineNode;
  let e2: EngineNode;
  let replica: EngineNode;
  let fresh: EngineNode;

  beforeAll(async () => {
    env = await setup();
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
    const retention = { PULSE_DEDUPE_RETENTION_MS: String(RETENTION_MS) };
    const partitioned = {
      ...retention,
      PULSE_PARTITIONS: String(PARTITIONS),
      PULSE_LEASE_MS: String(LEASE_MS),
    };
    e1 = await startNode(env, 'e1', partitioned);
    // A long-running unpartitioned replica, as an installation may keep.
    replica = await startNode(env, 'replica', retention);
    nodes.push(e1, replica);
    await waitFor(async () => ((await owned([e1]))[0] === PARTITIONS ? true : undefined), 60_000);
    await publish(nc, generated.calls, 'late');
    await caughtUp(nc, [e1, replica]);

    // The merges' marks are forgotten; the stream still holds the merges.
    await new Promise((resolve) => setTimeout(resolve, RETENTION_MS + 5_000));
    e2 = await startNode(env, 'e2', partitioned);
    nodes.push(e2);
    await settled([e1, e2], PARTITIONS, LEASE_MS);
    await caughtUp(nc, [e1, e2, replica]);
    // Reads the whole stream, copies included, in one go.
    fresh = await startNode(env, 'fresh', {});
    nodes.push(fresh);
    await caughtUp(nc, [e1, e2, replica, fresh]);
  }, 300_000);

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  async function spendBy(read: (id: string) => Promise<number>, ids: string[]) {
    const byId = new Map<string, number>();
    for (const id of ids) byId.set(id, await read(id));
    return byId;
  }

  it('counts no absorbed state twice: partitioned engines, an old replica and a fresh one agree with the stream', async () => {
    const asOf = timestampFromMs(READ_AT_MS);
    const store = PulseStore.open({ path: join(env.dir, fresh.name) });
    const ids = Array.from(store.profileIds());
    await store.close();
    expect(ids.length).toBeGreaterThan(100);
    const reader = (node: EngineNode) => async (id: string) => {
      const identifier = { type: 'profile_id', value: id };
      const { profile } = await retried(() => node.profiles.getProfile({ identifier, asOf }));
      return featureValue(profile!, 'spend_lifetime');
    };
    const expected = await spendBy(reader(fresh), ids);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(sum(expected)).toBe(generated.revenue);

    const partitioned = await spendBy((id) => reader(ids.indexOf(id) % 2 ? e1 : e2)(id), ids);
    const old = await spendBy(reader(replica), ids);
    const over = (m: Map<string, number>) =>
      ids
        .filter((id) => m.get(id)! > expected.get(id)!)
        .map((id) => `${id}: ${m.get(id)} > ${expected.get(id)}`);
    process.stdout.write(
      `late move: partitioned spend ${sum(partitioned)}, replica ${sum(old)}, stream ${generated.revenue}; ` +
        `over-counted: partitioned ${over(partitioned).length}, replica ${over(old).length}\n`,
    );
    expect(over(partitioned), over(partitioned).slice(0, 10).join('\n')).toEqual([]);
    expect(over(old), over(old).slice(0, 10).join('\n')).toEqual([]);
  }, 120_000);
});
