import { cpSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { toBinary } from '@bufbuild/protobuf';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { normalizeEvent } from '@pulse/events';
import { readFeatures } from '@pulse/features';
import { silentLogger } from '@pulse/logging';
import { HEADERS, STREAMS, ensureStreams, rawSubject } from '@pulse/nats';
import { EventSchema } from '@pulse/proto';
import { PulseStore } from '@pulse/store';
import { headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock, loadDefinitions } from '../../services/engine/src/index.js';
import { LearningRuntime } from '../../services/engine/src/decision/learning-state.js';
import { OWN_ALL } from '../../services/engine/src/partition/ownership.js';
import { applyBatch } from '../../services/engine/src/ingest/apply-batch.js';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { RETAIL_DEFINITIONS } from '../harness/stack.js';

const ACK_WAIT_MS = 500;

/**
 * JetStream redelivers a message whose ack did not come within the ack
 * wait (an engine that committed and then died, or stalled). The engine's
 * batch applier must count such a message once: here a real consumer with a
 * short ack wait delivers a purchase of 100 twice, and the real applier with
 * a real LMDB gets both deliveries, across a reopen of the store.
 */
describe('a purchase redelivered after the ack wait', () => {
  let env: TestEnv;
  let nc: NatsConnection;

  beforeAll(async () => {
    env = await setup();
    nc = await connect({ servers: env.nats.url });
    await ensureStreams(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await env?.cleanup();
  });

  it('is counted once: the audience "spent at least 150" does not include the customer', async () => {
    const definitionsDir = join(env.dir, 'definitions');
    cpSync(RETAIL_DEFINITIONS, definitionsDir, { recursive: true });
    appendFileSync(
      join(definitionsDir, 'audiences.yaml'),
      [
        '  - id: spent_150',
        '    name: Spent at least 150',
        '    description: Lifetime spend of 150 or more.',
        '    expression: features.spend_lifetime >= 150.0',
        '',
      ].join('\n'),
    );
    const defs = loadDefinitions(definitionsDir);

    const event = normalizeEvent(
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'r1',
        messageId: 'purchase-100',
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        properties: { order_id: 'o-100', revenue: 100 },
      },
      { source: 'test', receivedAtMs: Date.now() },
    );
    const h = headers();
    h.set(HEADERS.msgId, event.messageId);
    await jetstream(nc).publish(rawSubject('test'), toBinary(EventSchema, event), { headers: h });

    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(STREAMS.raw, {
      durable_name: 'redelivery',
      ack_policy: AckPolicy.Explicit,
      ack_wait: ACK_WAIT_MS * 1_000_000,
    });
    const consumer = await jetstream(nc).consumers.get(STREAMS.raw, 'redelivery');

    const dataDir = join(env.dir, 'engine');
    const apply = (store: PulseStore, seq: number, data: Uint8Array) =>
      applyBatch(
        {
          store,
          stream: STREAMS.raw,
          definitions: () => defs,
          clock: createClock('wall'),
          recheck: { nowRuleRecheckMs: 3_600_000 },
          logger: silentLogger(),
          learning: LearningRuntime.load(store, defs.decisions.learning),
          ownership: OWN_ALL,
        },
        [{ seq, data }],
      );

    // First delivery: applied and committed, never acknowledged.
    const first = await consumer.next({ expires: 5_000 });
    expect(first).not.toBeNull();
    let store = PulseStore.open({ path: dataDir });
    expect(apply(store, first!.seq, first!.data).applied).toBe(1);
    await store.close();

    // After the ack wait JetStream delivers the same message again.
    const second = await consumer.next({ expires: 5_000 });
    expect(second!.seq).toBe(first!.seq);
    expect(second!.redelivered).toBe(true);
    store = PulseStore.open({ path: dataDir });
    const outcome = apply(store, second!.seq, second!.data);
    expect(outcome).toMatchObject({ applied: 0, replayed: 1 });
    second!.ack();

    const profileId = store.profileIdOf('user_id', 'r1')!;
    const profile = store.getProfile(profileId)!;
    const spend = readFeatures(profile.features as never, defs.features, Date.now());
    expect(spend.spend_lifetime).toBe(100);
    expect(profile.audiences).not.toContain('spent_150');
    expect(store.isMember('spent_150', profileId)).toBe(false);
    await store.close();
  });
});
