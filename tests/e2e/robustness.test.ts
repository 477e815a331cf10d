import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EventOutcome, EventSchema, EventType } from '@pulse/proto';
import { setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { RETAIL_DEFINITIONS, sendCalls, startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';
import { featureNumber, order, profileOf } from './helpers.js';

const HOUR_MS = 3_600_000;

describe('the engine and collector under awkward input', () => {
  let env: TestEnv;
  let stack: Stack;
  let definitionsDir: string;

  beforeAll(async () => {
    env = await setup();
    definitionsDir = join(env.dir, 'definitions');
    cpSync(RETAIL_DEFINITIONS, definitionsDir, { recursive: true });
    stack = await startStack(env, { PULSE_DEFINITIONS_DIR: definitionsDir });
  });

  afterAll(async () => {
    await stack.stop();
    await env.cleanup();
  });

  it('sets aside a stream message published around the collector and goes on', async () => {
    await jetstream(stack.nc).publish('pulse.raw.evil', new Uint8Array(0));
    await sendCalls(stack.nc, [order('after-evil', 'm-after-evil', new Date().toISOString())]);
    await stack.caughtUp();
    const profile = await profileOf(stack, 'user_id', 'after-evil');
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(1);
    const jsm = await jetstreamManager(stack.nc);
    const dead = await waitFor(() =>
      jsm.streams
        .getMessage(STREAMS.deadLetter, { last_by_subj: 'pulse.dlq.engine' })
        .then((m) => m ?? undefined)
        .catch(() => undefined),
    );
    expect(dead.header.get('Pulse-Reason')).toBe('message_id is empty');
    expect(dead.data).toHaveLength(0);
  });

  it('sets aside an event whose identifier would not fit an LMDB key', async () => {
    const event = create(EventSchema, {
      messageId: 'm-long-key',
      type: EventType.TRACK,
      event: 'Order Completed',
      timestamp: timestampFromMs(Date.now()),
      identifiers: [{ type: 'user_id', value: 'k'.repeat(2_500) }],
    });
    await jetstream(stack.nc).publish('pulse.raw.evil', toBinary(EventSchema, event));
    await sendCalls(stack.nc, [
      order('after-long-key', 'm-after-long-key', new Date().toISOString()),
    ]);
    await stack.caughtUp();
    expect(await profileOf(stack, 'user_id', 'after-long-key')).toBeDefined();
  });

  it('finds a profile by an identifier spelled as the sender spelled it', async () => {
    await sendCalls(stack.nc, [
      {
        type: 'identify',
        userId: 'norm-1',
        messageId: 'm-norm',
        traits: { email: ' Alice@Example.COM ' },
      },
    ]);
    await stack.caughtUp();
    const profile = await profileOf(stack, 'EMAIL ', ' alice@EXAMPLE.com');
    expect(profile!.identifiers.map((i) => i.value)).toContain('norm-1');
    await expect(
      stack.profiles.getProfile({ identifier: { type: 'user_id', value: 'x'.repeat(3_000) } }),
    ).rejects.toMatchObject({ code: 3, details: expect.stringContaining('identifier.value') });
  });

  it('treats a call with a batch property as one call, and refuses an empty batch', async () => {
    const call = { ...order('batch-key', 'm-batch-key', new Date().toISOString()), batch: [] };
    expect(await sendCalls(stack.nc, [call])).toMatchObject({ accepted: 1 });
    const reply = await stack.nc.request('pulse.ingest.test', JSON.stringify(call));
    expect(reply.json()).toMatchObject({ duplicates: 1 });
    const empty = await stack.nc.request('pulse.ingest.test', JSON.stringify({ batch: [] }));
    expect(
      empty.json<{ results: { outcome: number; field: string }[] }>().results[0],
    ).toMatchObject({
      outcome: EventOutcome.REJECTED,
      field: 'body',
    });
  });

  it('counts accepted and rejected events by source in the collector metrics', async () => {
    await sendCalls(stack.nc, [{ type: 'nope', userId: 'm', messageId: 'm-metrics' }], 'metered');
    await sendCalls(stack.nc, [order('metered', 'm-metered', new Date().toISOString())], 'metered');
    const text = await (await fetch(`http://127.0.0.1:${stack.collector.opsPort}/metrics`)).text();
    expect(text).toContain('pulse_collector_events_total{source="metered",outcome="rejected"} 1');
    expect(text).toContain('pulse_collector_events_total{source="metered",outcome="accepted"} 1');
    const ready = await fetch(`http://127.0.0.1:${stack.engine.opsPort}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('rebuilds the live audience index when a rule changes', async () => {
    const now = Date.now();
    await sendCalls(stack.nc, [
      order('rule-1', 'm-rule-1', new Date(now - 2 * HOUR_MS).toISOString()),
      order('rule-1', 'm-rule-2', new Date(now - HOUR_MS).toISOString()),
    ]);
    await stack.caughtUp();
    const members = async () => {
      const ids: string[] = [];
      for await (const chunk of stack.audiences.listMembers({ audienceId: 'repeat_buyers_7d' })) {
        ids.push(...chunk.profileIds);
      }
      return ids;
    };
    const profileId = (await profileOf(stack, 'user_id', 'rule-1'))!.profileId;
    expect(await members()).toContain(profileId);

    const file = join(definitionsDir, 'audiences.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('features.orders_7d >= 2.0', 'features.orders_7d >= 3.0'));
    await waitFor(async () => ((await members()).includes(profileId) ? undefined : true), 10_000);
  });
});
