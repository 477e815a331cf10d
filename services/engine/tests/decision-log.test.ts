import { join } from 'node:path';
import { create, fromBinary } from '@bufbuild/protobuf';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { UnavailableError } from '@pulse/grpc';
import { HEADERS, STREAMS, ensureStreams, rawSubject, startLocalNatsServer } from '@pulse/nats';
import type { LocalNatsServer } from '@pulse/nats';
import { DecisionLoggedSchema, EventSchema } from '@pulse/proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setup, waitFor } from '../../../tests/harness/index.js';
import type { TestEnv } from '../../../tests/harness/index.js';
import { createDecisionLog } from '../src/decision/decision-log.js';

const decision = (decisionId: string) => create(DecisionLoggedSchema, { decisionId });

/** The decision events on the raw stream, in stream order: decision id and message id. */
async function storedDecisions(nc: NatsConnection): Promise<{ id?: string; msgId?: string }[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(STREAMS.raw);
  const found: { id?: string; msgId?: string }[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
    const m = await jsm.streams.getMessage(STREAMS.raw, { seq });
    if (m?.subject !== rawSubject('pulse-decisions')) continue;
    found.push({
      id: fromBinary(EventSchema, m.data).decision?.decisionId,
      msgId: m.header.get(HEADERS.msgId),
    });
  }
  return found;
}

describe('createDecisionLog against a real nats-server', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let restarted: LocalNatsServer | undefined;

  beforeEach(async () => {
    env = await setup();
    nc = await connect({ servers: env.nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    await ensureStreams(nc);
  });
  afterEach(async () => {
    await nc.close();
    await restarted?.stop();
    restarted = undefined;
    await env.cleanup();
  });

  it('stores each decision once, in order, under its id as Nats-Msg-Id', async () => {
    const log = createDecisionLog(nc);
    for (const id of ['d1', 'd2', 'd3']) log.publish(decision(id));
    await waitFor(() => (log.unconfirmed === 0 ? true : undefined));

    expect(await storedDecisions(nc)).toEqual(['d1', 'd2', 'd3'].map((id) => ({ id, msgId: id })));
  });

  it('stores a decision made while nats-server was down once it is back', async () => {
    const log = createDecisionLog(nc, { ackTimeoutMs: 500 });
    log.publish(decision('before'));
    await waitFor(() => (log.unconfirmed === 0 ? true : undefined));

    await env.nats.stop();
    log.publish(decision('during'));
    expect(log.unconfirmed).toBe(1);
    restarted = await startLocalNatsServer({
      storeDir: join(env.dir, 'jetstream'),
      port: env.nats.port,
    });
    await waitFor(() => (log.unconfirmed === 0 ? true : undefined), 20_000);

    expect((await storedDecisions(nc)).map((d) => d.id)).toEqual(['before', 'during']);
  });

  it('refuses with UnavailableError when too many decisions wait, and stops retrying on close', async () => {
    const log = createDecisionLog(nc, { ackTimeoutMs: 200, maxUnconfirmed: 2 });
    await env.nats.stop();
    log.publish(decision('a'));
    log.publish(decision('b'));
    expect(() => log.publish(decision('c'))).toThrow(UnavailableError);

    await log.close(300);
    expect(() => log.publish(decision('d'))).toThrow(UnavailableError);
    // Retries end: nothing waits a moment after the last attempt failed.
    await waitFor(() => (log.unconfirmed === 0 ? true : undefined), 5_000);
  });

  it('gives a decision over the server max_payload up at once instead of sending it again', async () => {
    const log = createDecisionLog(nc);
    const huge = create(DecisionLoggedSchema, {
      decisionId: 'huge',
      consideredOfferIds: 'x'.repeat(2 * 1024 * 1024),
    });
    log.publish(huge);
    log.publish(decision('small'));
    await waitFor(() => (log.unconfirmed === 0 ? true : undefined), 2_000);
    expect((await storedDecisions(nc)).map((d) => d.id)).toEqual(['small']);
  });

  it('refuses with UnavailableError once the connection is closed', async () => {
    const log = createDecisionLog(nc);
    await nc.close();
    expect(() => log.publish(decision('late'))).toThrow(UnavailableError);
  });
});
