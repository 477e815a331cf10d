/**
 * Break tests for engine identity in a partitioned installation (issue 7):
 * the consumer name is the engine's identity in the lease bucket, so a
 * second engine started under a live engine's name must be refused (the
 * README: "one engine per name"), and an engine with another partition
 * count must refuse to start.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnCollector } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
import { generateStream } from './merge-heavy-stream.js';
import { caughtUp, metric, owned, publish, startNode, stopNode } from './partition-nodes.js';
import type { EngineNode } from './partition-nodes.js';

const PARTITIONS = 6;
const LEASE_MS = 3_000;

describe('engine identity in a partitioned installation', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  const partitioned = { PULSE_PARTITIONS: String(PARTITIONS), PULSE_LEASE_MS: String(LEASE_MS) };

  beforeAll(async () => {
    env = await setup();
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
  });

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  it('refuses a second engine under a live engine’s PULSE_CONSUMER_NAME, and the first keeps running', async () => {
    const first = await startNode(env, 'dup', partitioned, 'dup-a');
    nodes.push(first);
    await waitFor(
      async () => ((await owned([first]))[0] === PARTITIONS ? true : undefined),
      60_000,
    );
    await publish(nc, generateStream('dup').calls.slice(0, 2_000), 'dup');
    await caughtUp(nc, [first]);

    // Same name, its own volume: a copy-paste slip in a manifest.
    let second: EngineNode | undefined;
    let refusal = '';
    try {
      second = await startNode(env, 'dup', partitioned, 'dup-b');
      nodes.push(second);
    } catch (err) {
      refusal = (err as Error).message;
    }
    // Give both a few lease periods.
    await new Promise((resolve) => setTimeout(resolve, 4 * LEASE_MS));
    const firstAlive =
      first.handle.child.exitCode === null && first.handle.child.signalCode === null;
    const secondAlive =
      second !== undefined &&
      second.handle.child.exitCode === null &&
      second.handle.child.signalCode === null;
    const tail = (node: EngineNode | undefined) =>
      (node?.handle.output() ?? '')
        .split('\n')
        .filter((l) => /"level":(40|50|60)/.test(l))
        .slice(-3)
        .join('\n');
    process.stdout.write(
      `same name: first alive ${firstAlive} (exit ${first.handle.child.exitCode}), ` +
        `second alive ${secondAlive} (exit ${second?.handle.child.exitCode}); refusal '${refusal.slice(0, 200)}'\n` +
        `first:\n${tail(first)}\nsecond:\n${tail(second)}\n`,
    );
    expect(firstAlive, tail(first)).toBe(true);
    expect(secondAlive, tail(second)).toBe(false);
    expect(refusal + (second?.handle.output() ?? '')).toMatch(/PULSE_CONSUMER_NAME|already/);
    if (firstAlive) expect(await metric(first, 'pulse_engine_partitions_owned')).toBe(PARTITIONS);
  }, 120_000);

  it('refuses an engine with another partition count', async () => {
    // The installation has 6 partitions (recorded by the engine above).
    const other = { PULSE_PARTITIONS: '4', PULSE_LEASE_MS: String(LEASE_MS) };
    await expect(startNode(env, 'four', other)).rejects.toThrow(/partitions/);
  }, 120_000);
});
