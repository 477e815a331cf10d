/**
 * Break tests for calls routed between partitioned engines (issue 7): the
 * answers of two partitioned engines, asked about profiles each owns or not,
 * must be the answers of one unpartitioned engine fed the same stream,
 * refusals included (code, details and the field named).
 */
import { status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { partitionOf } from '@pulse/engine';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnCollector } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
import { generateStream } from './merge-heavy-stream.js';
import { caughtUp, publish, settled, startNode, stopNode } from './partition-nodes.js';
import type { EngineNode } from './partition-nodes.js';

const PARTITIONS = 6;
const LEASE_MS = 3_000;
const AUDIENCE = 'uk';

/** What a caller sees of a call: its answer, or its status code, details and field. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
    return { code: Status[Status.OK] };
  } catch (err) {
    const e = err as ServiceError;
    return { code: Status[e.code], details: e.details, field: e.metadata?.get('pulse-field') };
  }
}

describe('calls routed between partitioned engines', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  const generated = generateStream('route');
  let r1: EngineNode;
  let r2: EngineNode;
  let reference: EngineNode;
  /** Users whose profile r2 owns, and those r1 owns. */
  const ownedBy = new Map<string, string[]>([
    ['r1', []],
    ['r2', []],
  ]);

  beforeAll(async () => {
    env = await setup();
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
    const partitioned = { PULSE_PARTITIONS: String(PARTITIONS), PULSE_LEASE_MS: String(LEASE_MS) };
    const started = await Promise.all(['r1', 'r2'].map((n) => startNode(env, n, partitioned)));
    r1 = started[0]!;
    r2 = started[1]!;
    reference = await startNode(env, 'reference', {});
    nodes.push(r1!, r2!, reference);
    await settled([r1!, r2!], PARTITIONS, LEASE_MS);
    await publish(nc, generated.calls, 'route');
    await caughtUp(nc, [r1!, r2!, reference]);

    const kv = await new Kvm(nc).open('PULSE_PARTITIONS');
    const owners: string[] = [];
    for (let p = 0; p < PARTITIONS; p += 1) {
      owners.push((await kv.get(`lease.${p}`))!.json<{ owner: string }>().owner);
    }
    for (const user of [...generated.users].sort()) {
      const identifier = { type: 'user_id', value: user };
      const { profile } = await reference.profiles.getProfile({ identifier });
      ownedBy.get(owners[partitionOf(profile!.profileId, PARTITIONS)]!)!.push(user);
    }
  }, 240_000);

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  const userId = (value: string) => ({ type: 'user_id', value });

  it('BatchCheck names the bad identifier by its index in the caller’s request', async () => {
    const remote = ownedBy.get('r2')!.slice(0, 2).map(userId);
    expect(remote).toHaveLength(2);
    // identifiers[2] is bad: an identifier type with no value.
    const request = { audienceId: AUDIENCE, identifiers: [...remote, userId('  ')] };
    const expected = await outcome(() => reference.audiences.batchCheck(request));
    expect(expected).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(JSON.stringify(expected)).toContain('identifiers[2]');
    expect(await outcome(() => r1.audiences.batchCheck(request))).toEqual(expected);
  });

  it('BatchCheck refuses more than 1,000 identifiers whoever owns them', async () => {
    const users = [...ownedBy.get('r1')!, ...ownedBy.get('r2')!];
    const identifiers = Array.from({ length: 1_200 }, (_, i) => userId(users[i % users.length]!));
    const request = { audienceId: AUDIENCE, identifiers };
    const expected = await outcome(() => reference.audiences.batchCheck(request));
    expect(expected).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await outcome(() => r1.audiences.batchCheck(request))).toEqual(expected);
  });

  it('BatchCheck mixing owners answers each identifier as the reference does', async () => {
    const mixed = [...ownedBy.get('r1')!.slice(0, 20), ...ownedBy.get('r2')!.slice(0, 20)];
    const identifiers = mixed.sort().map(userId);
    const request = { audienceId: AUDIENCE, identifiers };
    const expected = (await reference.audiences.batchCheck(request)).results;
    const actual = (await r1.audiences.batchCheck(request)).results;
    expect(actual.map((r) => [r.profileId, r.member])).toEqual(
      expected.map((r) => [r.profileId, r.member]),
    );
  });

  it('refusals of the owner come back unchanged (Decide without placement, Check of an unknown audience)', async () => {
    const identifier = userId(ownedBy.get('r2')![0]!);
    const decide = { placement: '', identifiers: [identifier] };
    expect(await outcome(() => r1.decisions.decide(decide))).toEqual(
      await outcome(() => reference.decisions.decide(decide)),
    );
    const check = { audienceId: 'no_such_audience', identifier };
    expect(await outcome(() => r1.audiences.check(check))).toEqual(
      await outcome(() => reference.audiences.check(check)),
    );
  });

  it('ListMembers in pages of 3 gathers the reference’s members, page tokens carried between engines', async () => {
    const listed = async (pick: (page: number) => EngineNode) => {
      const all: string[] = [];
      let pageToken = '';
      let page = 0;
      do {
        let next = '';
        const request = { audienceId: AUDIENCE, pageSize: 3, pageToken };
        for await (const part of pick(page).audiences.listMembers(request)) {
          all.push(...part.profileIds);
          next = part.nextPageToken || next;
        }
        pageToken = next;
        page += 1;
      } while (pageToken !== '' && page < 1_000);
      return all;
    };
    const expected = await listed(() => reference);
    expect(expected.length).toBeGreaterThan(10);
    expect(await listed((page) => (page % 2 ? r1 : r2))).toEqual(expected);
  });
});
