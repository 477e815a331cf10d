import { statSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { sendCalls, startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';

/** Every sample of `name` in Prometheus text, keyed by its label set (`''` when none). */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}

function identify(userId: string, country: string) {
  return { type: 'identify', userId, messageId: `ops-${userId}`, traits: { country } };
}

describe('operations metrics', () => {
  let env: TestEnv;
  let stack: Stack;

  beforeAll(async () => {
    env = await setup();
    stack = await startStack(env);
  });

  afterAll(async () => {
    await stack.stop();
    await env.cleanup();
  });

  const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it('exports audience sizes, consumer lag and the LMDB size of the engine', async () => {
    const uk = ['ops-a', 'ops-b', 'ops-c'].map((id) => identify(id, 'United Kingdom'));
    await sendCalls(stack.nc, [...uk, identify('ops-d', 'France')], 'ops');
    await stack.caughtUp();
    await stack.engine.observers.lag.refresh();
    await stack.engine.observers.audienceSizes.refresh();
    const text = await scrape(stack.engine.opsPort);

    const members = samples(text, 'pulse_audience_members');
    expect(members.get('{audience="uk"}')).toBe(3);
    expect(members.get('{audience="international"}')).toBe(1);
    const jsm = await jetstreamManager(stack.nc);
    const lastSeq = (await jsm.streams.info(STREAMS.raw)).state.last_seq;
    const stream = `{stream="${STREAMS.raw}"}`;
    expect(samples(text, 'pulse_engine_stream_last_sequence').get(stream)).toBe(lastSeq);
    expect(samples(text, 'pulse_engine_consumer_lag_messages').get(stream)).toBe(0);
    const fileBytes = statSync(join(env.dir, 'engine', 'data.mdb')).size;
    expect(samples(text, 'pulse_lmdb_size_bytes').get('')).toBe(fileBytes);
    expect(samples(text, 'pulse_lmdb_used_bytes').get('')).toBeGreaterThan(0);
  });

  it('counts the collector rejects by source and reason', async () => {
    const bad = [
      { type: 'track', userId: 'r1', event: 'X', timestamp: 'next tuesday', messageId: 'r-1' },
      { type: 'track', userId: 'r2', event: 'X', timestamp: 'next friday', messageId: 'r-2' },
      { type: 'nope', userId: 'r3', messageId: 'r-3' },
    ];
    await sendCalls(stack.nc, bad, 'rejecting');
    const rejects = samples(await scrape(stack.collector.opsPort), 'pulse_collector_rejects_total');
    const ours = [...rejects].filter(([labels]) => labels.includes('source="rejecting"'));
    // Two events share the bad-timestamp reason; the bad type is a reason of its own.
    expect(ours.map(([, count]) => count).sort()).toEqual([1, 2]);
  });
});
