/**
 * Break test (issue 7): partitions handed over while events keep flowing.
 * A rebuild copies the scratch store at the live applied sequence and lets
 * the live consumer go on; every event of a moved partition must be counted
 * exactly once by its new owner. The stream has no merges (each order names
 * only its user), so the expected figures are plain per-user sums of the
 * published orders.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SegmentCall } from '@pulse/events';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnCollector } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
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
const USERS = 120;
const ORDERS = 6_000;
const BASE_MS = Date.now() - 3_600_000;

/** Orders by user, each with a revenue of 1 to 50; the expected sums beside. */
function orders(): {
  calls: SegmentCall[];
  spend: Map<string, number>;
  count: Map<string, number>;
} {
  const calls: SegmentCall[] = [];
  const spend = new Map<string, number>();
  const count = new Map<string, number>();
  for (let i = 0; i < ORDERS; i += 1) {
    const userId = `flow-${(i * 7919) % USERS}`;
    const revenue = 1 + ((i * 31) % 50);
    calls.push({
      type: 'track',
      event: 'Order Completed',
      userId,
      properties: { order_id: `o${i}`, revenue },
      messageId: `flow-${i}`,
      timestamp: new Date(BASE_MS + i * 100).toISOString(),
    } as SegmentCall);
    spend.set(userId, (spend.get(userId) ?? 0) + revenue);
    count.set(userId, (count.get(userId) ?? 0) + 1);
  }
  return { calls, spend, count };
}

describe('partitions handed over while events flow', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  const expected = orders();

  beforeAll(async () => {
    env = await setup();
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
    const partitioned = { PULSE_PARTITIONS: String(PARTITIONS), PULSE_LEASE_MS: String(LEASE_MS) };
    const e1 = await startNode(env, 'f1', partitioned);
    nodes.push(e1);
    await waitFor(async () => ((await owned([e1]))[0] === PARTITIONS ? true : undefined), 60_000);
    await publish(nc, expected.calls.slice(0, 1_000), 'flow');

    // The rest trickles in, ten orders every 20 ms, while f2 and then f3 join.
    let next = 1_000;
    const trickle = (async () => {
      while (next < ORDERS) {
        await publish(nc, expected.calls.slice(next, next + 10), 'flow');
        next += 10;
        await sleep(20);
      }
    })();
    const e2 = await startNode(env, 'f2', partitioned);
    nodes.push(e2);
    await settled([e1, e2], PARTITIONS, LEASE_MS);
    const e3 = await startNode(env, 'f3', partitioned);
    nodes.push(e3);
    await settled([e1, e2, e3], PARTITIONS, LEASE_MS);
    process.stdout.write(`handovers done with ${next} of ${ORDERS} orders sent\n`);
    await trickle;
    await caughtUp(nc, nodes);
  }, 240_000);

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  it('counts every order of every user once', async () => {
    const wrong: string[] = [];
    let total = 0;
    for (const [i, userId] of [...expected.spend.keys()].sort().entries()) {
      const node = nodes[i % nodes.length]!;
      const identifier = { type: 'user_id', value: userId };
      const { profile } = await retried(() => node.profiles.getProfile({ identifier }));
      const spend = featureValue(profile!, 'spend_lifetime');
      const count = featureValue(profile!, 'orders_lifetime');
      total += count;
      if (spend !== expected.spend.get(userId) || count !== expected.count.get(userId)) {
        wrong.push(
          `${userId} (${profile!.profileId}): orders ${count} of ${expected.count.get(userId)}, ` +
            `spend ${spend} of ${expected.spend.get(userId)}`,
        );
      }
    }
    process.stdout.write(
      `flow: ${total} of ${ORDERS} orders counted, ${wrong.length} users wrong\n`,
    );
    expect(wrong, wrong.slice(0, 10).join('\n')).toEqual([]);
  }, 120_000);
});
