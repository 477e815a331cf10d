/**
 * Break tests for partitioned engines (issue 7): one engine owning every
 * partition takes the merge-heavy stream, then a second engine joins and
 * the partitions it prefers are handed over while calls flow. Expected
 * figures come from the generated stream (its revenue, orders and traits)
 * and from an unpartitioned reference engine fed the same stream.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { partitionOf } from '@pulse/engine';
import type { Profile } from '@pulse/proto';
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
const DEADLINE_MS = 1_000;

/** A GetProfile of the load, as the caller saw it. */
interface Answer {
  user: string;
  code: number;
  elapsedMs: number;
  profile?: Profile;
}

describe('scale-out from one partitioned engine to two', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  const generated = generateStream('scale');
  let e1: EngineNode;
  let e2: EngineNode;
  let reference: EngineNode;
  let e2Partitions: Set<number>;
  const answers: Answer[] = [];

  beforeAll(async () => {
    env = await setup();
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
    const partitioned = { PULSE_PARTITIONS: String(PARTITIONS), PULSE_LEASE_MS: String(LEASE_MS) };
    e1 = await startNode(env, 'e1', partitioned);
    reference = await startNode(env, 'reference', {});
    nodes.push(e1, reference);
    await waitFor(async () => ((await owned([e1]))[0] === PARTITIONS ? true : undefined), 60_000);

    // Every merge of the stream happens while e1 owns both sides.
    await publish(nc, generated.calls, 'scale');
    await caughtUp(nc, [e1, reference]);

    // e2 joins; GetProfile calls go to it all along the handover.
    e2 = await startNode(env, 'e2', partitioned);
    nodes.push(e2);
    const users = [...generated.users].sort();
    let running = true;
    const one = async (i: number) => {
      const user = users[i % users.length]!;
      const started = performance.now();
      try {
        const { profile } = await e2.profiles.getProfile(
          { identifier: { type: 'user_id', value: user } },
          { deadlineMs: DEADLINE_MS },
        );
        answers.push({ user, code: Status.OK, elapsedMs: performance.now() - started, profile });
      } catch (err) {
        const code = (err as ServiceError).code ?? Status.UNKNOWN;
        answers.push({ user, code, elapsedMs: performance.now() - started });
      }
    };
    const load = (async () => {
      for (let i = 0; running; i += 1) {
        await Promise.all([0, 1, 2, 3].map((k) => one(4 * i + k)));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await settled([e1, e2], PARTITIONS, LEASE_MS);
    await caughtUp(nc, [e1, e2, reference]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    running = false;
    await load;
    e2Partitions = new Set(await ownedPartitions(nc));
  }, 240_000);

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  /** The partitions whose lease e2 holds. */
  async function ownedPartitions(conn: NatsConnection): Promise<number[]> {
    const { Kvm } = await import('@nats-io/kv');
    const kv = await new Kvm(conn).open('PULSE_PARTITIONS');
    const mine: number[] = [];
    for (let p = 0; p < PARTITIONS; p += 1) {
      const entry = await kv.get(`lease.${p}`);
      if (entry?.operation === 'PUT' && entry.json<{ owner: string }>().owner === 'e2') {
        mine.push(p);
      }
    }
    return mine;
  }

  it('keeps the state of profiles merged before the handover (spend equals the reference and the stream)', async () => {
    const asOf = timestampFromMs(READ_AT_MS);
    const store = PulseStore.open({ path: join(env.dir, reference.name) });
    const ids = Array.from(store.profileIds());
    await store.close();
    expect(ids.length).toBeGreaterThan(100);

    let spend = 0;
    let orders = 0;
    let referenceSpend = 0;
    const differing: string[] = [];
    let movedSurvivorStayedAbsorbed = 0;
    for (const [i, id] of ids.entries()) {
      const identifier = { type: 'profile_id', value: id };
      const expected = (await reference.profiles.getProfile({ identifier, asOf })).profile!;
      const node = i % 2 === 0 ? e1 : e2;
      const actual = (await retried(() => node.profiles.getProfile({ identifier, asOf }))).profile!;
      const a = featureValue(actual, 'spend_lifetime');
      const e = featureValue(expected, 'spend_lifetime');
      spend += a;
      orders += featureValue(actual, 'orders_lifetime');
      referenceSpend += e;
      if (a === e) continue;
      // Where the survivor and each absorbed profile live after the handover.
      const where = (pid: string) => (e2Partitions.has(partitionOf(pid, PARTITIONS)) ? 'e2' : 'e1');
      const absorbed = expected.merges.map(
        (m) => `${m.absorbedProfileId}@${where(m.absorbedProfileId)}`,
      );
      if (where(id) === 'e2' && absorbed.some((x) => x.endsWith('@e1')))
        movedSurvivorStayedAbsorbed += 1;
      differing.push(
        `${id}@${where(id)} spend ${a}, reference ${e}; absorbed ${absorbed.join(' ')}`,
      );
    }
    process.stdout.write(
      `scale-out: ${differing.length} profiles differ, ${movedSurvivorStayedAbsorbed} of them ` +
        `survivors moved to e2 with an absorbed profile left on e1; spend ${spend} of ${generated.revenue}\n` +
        differing.slice(0, 5).join('\n') +
        '\n',
    );
    // The reference engine agrees with the stream, so the stream's figures are right.
    expect(referenceSpend).toBe(generated.revenue);
    expect(differing, differing.slice(0, 10).join('\n')).toEqual([]);
    expect(spend).toBe(generated.revenue);
    expect(orders).toBe(generated.orders);
  }, 120_000);

  it('never answers GetProfile OK with a released (stripped) profile during the handover', () => {
    // Every user of the stream sent an identify with traits (plan, country),
    // so an OK answer without traits is a profile another engine stripped.
    const ok = answers.filter((a) => a.code === Status.OK);
    const stripped = ok.filter((a) => Object.keys(a.profile?.traits ?? {}).length === 0);
    const sample = stripped.slice(0, 5).map((a) => `${a.user} -> ${a.profile?.profileId}`);
    process.stdout.write(
      `scale-out load: ${answers.length} calls, ${ok.length} ok, ${stripped.length} stripped\n`,
    );
    expect(ok.length).toBeGreaterThan(50);
    expect(stripped.length, sample.join('\n')).toBe(0);
  });

  it('answers every call of the handover within its deadline', () => {
    const slowest = Math.max(...answers.map((a) => a.elapsedMs));
    expect(slowest).toBeLessThanOrEqual(DEADLINE_MS + 400);
  });
});
