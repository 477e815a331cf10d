/**
 * Break test (issue 7): "feature state and traits merge in any order" does
 * not hold for traits that clash in type. A trait never changes type: once
 * the survivor holds the absorbed profile's `score: 5`, a later identify
 * with `score: 'gold'` is refused. When the absorbed profile is owned by
 * another engine, its state arrives later as MERGED_STATE, after the
 * survivor already took 'gold', and the older number is dropped instead.
 */
import type { SegmentCall } from '@pulse/events';
import { partitionOf } from '@pulse/engine';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnCollector } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
import { caughtUp, publish, retried, settled, startNode, stopNode } from './partition-nodes.js';
import type { EngineNode } from './partition-nodes.js';

const PARTITIONS = 6;
const LEASE_MS = 3_000;
const PEOPLE = 40;
const BASE_MS = Date.now() - 3_600_000;

/** Per person: anonymous `score: 5`, a sign-in, the link, then `score: 'gold'`. */
function clashingCalls(): SegmentCall[] {
  const calls: SegmentCall[] = [];
  for (let i = 0; i < PEOPLE; i += 1) {
    const at = (k: number) => new Date(BASE_MS + i * 10_000 + k * 1_000).toISOString();
    const id = (k: number) => `clash-${i}-${k}`;
    const anonymousId = `anon-${i}`;
    const userId = `clash-user-${i}`;
    const person = [
      { type: 'identify', anonymousId, traits: { score: 5 }, messageId: id(0), timestamp: at(0) },
      { type: 'identify', userId, traits: { plan: 'x' }, messageId: id(1), timestamp: at(1) },
      { type: 'identify', userId, anonymousId, messageId: id(2), timestamp: at(2) },
      { type: 'identify', userId, traits: { score: 'gold' }, messageId: id(3), timestamp: at(3) },
    ] as SegmentCall[];
    calls.push(...person);
  }
  return calls;
}

describe('a trait type clash across a merge of profiles on two engines', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  let t1: EngineNode;
  let t2: EngineNode;
  let reference: EngineNode;

  beforeAll(async () => {
    env = await setup();
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
    const partitioned = { PULSE_PARTITIONS: String(PARTITIONS), PULSE_LEASE_MS: String(LEASE_MS) };
    const started = await Promise.all(['t1', 't2'].map((n) => startNode(env, n, partitioned)));
    t1 = started[0]!;
    t2 = started[1]!;
    reference = await startNode(env, 'reference', {});
    nodes.push(t1!, t2!, reference);
    await settled([t1!, t2!], PARTITIONS, LEASE_MS);
    await publish(nc, clashingCalls(), 'clash');
    await caughtUp(nc, [t1!, t2!, reference]);
    // The MERGED_STATE events published after the batches.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await caughtUp(nc, [t1!, t2!, reference]);
  }, 240_000);

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  it('keeps the first type of the trait (score 5) as the unpartitioned engine does', async () => {
    const kv = await new Kvm(nc).open('PULSE_PARTITIONS');
    const owners: string[] = [];
    for (let p = 0; p < PARTITIONS; p += 1) {
      owners.push((await kv.get(`lease.${p}`))!.json<{ owner: string }>().owner);
    }
    const ownerOf = (profileId: string) => owners[partitionOf(profileId, PARTITIONS)];
    const wrong: string[] = [];
    let crossing = 0;
    for (let i = 0; i < PEOPLE; i += 1) {
      const identifier = { type: 'user_id', value: `clash-user-${i}` };
      const expected = (await reference.profiles.getProfile({ identifier })).profile!;
      // Worked out from the rule, not read from an engine.
      expect(expected.traits).toEqual({ plan: 'x', score: 5 });
      const actual = (await retried(() => t1.profiles.getProfile({ identifier }))).profile!;
      const absorbed = expected.merges[0]!.absorbedProfileId;
      const across = ownerOf(absorbed) !== ownerOf(expected.profileId);
      if (across) crossing += 1;
      if (actual.traits?.score !== 5) {
        wrong.push(
          `${identifier.value}: score ${JSON.stringify(actual.traits?.score)}, across ${across}`,
        );
      }
    }
    process.stdout.write(`trait clash: ${crossing} of ${PEOPLE} merges across engines\n`);
    expect(crossing).toBeGreaterThan(0);
    expect(wrong, wrong.join('\n')).toEqual([]);
  });
});
