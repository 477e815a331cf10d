import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { publishCalls } from '@pulse/client';
import { createClient } from '@pulse/grpc';
import type { ServiceClient } from '@pulse/grpc';
import { readUciOnlineRetail } from '@pulse/loaders';
import { STREAMS } from '@pulse/nats';
import {
  AudienceAdminService,
  AudienceTransitionSchema,
  BackfillState,
  TransitionReason,
} from '@pulse/proto';
import type { AudienceTransition } from '@pulse/proto';
import { UCI_FILE, setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { sendCalls, startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';
import { readReferenceInvoices } from './uci-reference.js';

const FOLLOWER = 'email-system';

/** Completed orders per customer over the whole file, by brute force. */
function ordersPerCustomer(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const invoice of readReferenceInvoices(file)) {
    if (!invoice.customerId || invoice.cancellation) continue;
    counts.set(invoice.customerId, (counts.get(invoice.customerId) ?? 0) + 1);
  }
  return counts;
}

function customersWhere(counts: Map<string, number>, test: (orders: number) => boolean) {
  return [...counts].filter(([, n]) => test(n)).map(([id]) => id);
}

describe.skipIf(!existsSync(UCI_FILE))('audience definitions in KV, with backfill', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: ServiceClient<typeof AudienceAdminService>;
  let orders: Map<string, number>;
  // What the follower read before it went away.
  let firstPart: AudienceTransition[] = [];

  beforeAll(async () => {
    orders = ordersPerCustomer(UCI_FILE);
    env = await setup();
    stack = await startStack(env, { PULSE_CLOCK: 'event', PULSE_AUDIENCE_STORE: 'kv' });
    admin = createClient(AudienceAdminService, `127.0.0.1:${stack.engine.grpcPort}`, {
      deadlineMs: 30_000,
    });
    const totals = await publishCalls(readUciOnlineRetail(UCI_FILE), {
      nc: stack.nc,
      source: 'uci',
    });
    expect(totals.rejected).toBe(0);
    await stack.caughtUp();
    const jsm = await jetstreamManager(stack.nc);
    await jsm.consumers.add(STREAMS.audience, {
      durable_name: FOLLOWER,
      filter_subject: 'pulse.audience.loyal',
      ack_policy: AckPolicy.Explicit,
    });
  }, 180_000);

  afterAll(async () => {
    admin?.close();
    await stack?.stop();
    await env?.cleanup();
  });

  const userIdOf = (profileId: string) =>
    stack.engine.context.store
      .getProfile(profileId)
      ?.identifiers.find(([type]) => type === 'user_id')?.[1];

  /** Waits until the backfill of `tag` is done and its transitions are published. */
  async function backfilled(tag: string) {
    const progress = await waitFor(async () => {
      const { backfill } = await admin.getBackfill({});
      const done = backfill?.state === BackfillState.DONE && backfill.audiences.includes(tag);
      return done ? backfill : undefined;
    }, 120_000);
    const { store } = stack.engine.context;
    await waitFor(() => (store.pendingOutbox(1).length === 0 ? true : undefined), 120_000);
    return progress;
  }

  /** Reads the follower's transitions until none arrives for a while; acks each. */
  async function follow(max: number): Promise<AudienceTransition[]> {
    const nc = await connect({ servers: env.nats.url });
    const consumer = await jetstream(nc).consumers.get(STREAMS.audience, FOLLOWER);
    const seen: AudienceTransition[] = [];
    while (seen.length < max) {
      const batch = await consumer.fetch({
        max_messages: Math.min(500, max - seen.length),
        expires: 1_500,
      });
      let got = 0;
      for await (const m of batch) {
        seen.push(fromBinary(AudienceTransitionSchema, m.data));
        m.ack();
        got += 1;
      }
      if (got === 0) break;
    }
    // The follower goes away: closing drops the connection, the consumer stays.
    await nc.flush();
    await nc.close();
    return seen;
  }

  it.each([
    ['an unknown feature', 'features.order_lifetime >= 3.0', /unknown feature 'order_lifetime'/],
    [
      'a wrong type',
      "features.orders_lifetime >= 'three'",
      /type clash: '>=' cannot compare features.orders_lifetime \(double\) with string/,
    ],
    ['a syntax error', 'features.orders_lifetime >= ', /syntax error.*\(at 1:\d+\)/],
  ])('refuses an expression with %s, naming it', async (_, expression, message) => {
    const audience = { id: 'bad', name: 'Bad', expression, description: '', version: 0 };
    const refusal = admin.createAudience({ audience });
    await expect(refusal).rejects.toMatchObject({
      code: 3,
      details: expect.stringMatching(message),
    });
    await expect(refusal).rejects.toMatchObject({
      details: expect.stringContaining('audience.expression'),
    });
  });

  it('backfills a new audience over every existing profile, like a brute-force count', async () => {
    const expected = customersWhere(orders, (n) => n >= 3).sort();
    expect(expected.length).toBeGreaterThan(50);
    const audience = {
      id: 'loyal',
      name: 'Loyal',
      expression: 'features.orders_lifetime >= 3.0',
      description: 'three or more orders',
      version: 0,
    };
    const created = await admin.createAudience({ audience });
    expect(created.audience?.version).toBe(1);
    const progress = await backfilled('loyal@1');
    expect(progress.profilesDone).toBe(progress.profilesTotal);

    const members: string[] = [];
    for await (const chunk of stack.audiences.listMembers({ audienceId: 'loyal' })) {
      members.push(...chunk.profileIds);
    }
    expect(members.map((id) => userIdOf(id)).sort()).toEqual(expected);
    expect(Number(progress.entered)).toBe(expected.length);

    // A follower reads a first part of the transitions, then goes away.
    const first = await follow(50);
    expect(first).toHaveLength(50);
    firstPart = first;
  });

  it('publishes exactly the transitions a brute-force diff predicts when the rule changes', async () => {
    const audience = {
      id: 'loyal',
      name: 'Loyal',
      expression: 'features.orders_lifetime == 2.0 || features.orders_lifetime >= 5.0',
      description: '',
      version: 1,
    };
    const updated = await admin.updateAudience({ audience });
    expect(updated.audience?.version).toBe(2);
    await backfilled('loyal@2');

    const before = new Set(customersWhere(orders, (n) => n >= 3));
    const after = new Set(customersWhere(orders, (n) => n === 2 || n >= 5));
    const entered = [...after].filter((id) => !before.has(id)).sort();
    const exited = [...before].filter((id) => !after.has(id)).sort();
    expect(entered.length).toBeGreaterThan(0);
    expect(exited.length).toBeGreaterThan(0);

    // The follower returns and reads the rest: every transition once.
    const rest = await follow(100_000);
    const all = [...firstPart, ...rest];
    const initial = before.size;
    expect(all).toHaveLength(initial + entered.length + exited.length);
    expect(all.every((t) => t.reason === TransitionReason.BACKFILL)).toBe(true);
    const keys = all.map((t) => `${t.profileId}:${t.entered}`);
    const second = all.slice(initial);
    expect(new Set(keys.slice(0, initial)).size).toBe(initial);
    const ids = (entering: boolean) =>
      second.filter((t) => t.entered === entering).map((t) => userIdOf(t.profileId)!);
    expect(ids(true).sort()).toEqual(entered);
    expect(ids(false).sort()).toEqual(exited);
  });

  it('streams members in resumable pages from one snapshot, with identifiers', async () => {
    const all: string[] = [];
    for await (const chunk of stack.audiences.listMembers({ audienceId: 'loyal' })) {
      all.push(...chunk.profileIds);
    }
    const paged: string[] = [];
    let pageToken = '';
    let calls = 0;
    do {
      let next = '';
      const request = {
        audienceId: 'loyal',
        pageToken,
        pageSize: 70,
        identifierTypes: ['user_id'],
      };
      for await (const chunk of stack.audiences.listMembers(request)) {
        paged.push(...chunk.profileIds);
        for (const member of chunk.members) {
          expect(member.identifiers[0]?.value).toBe(userIdOf(member.profileId));
        }
        next = chunk.nextPageToken;
      }
      pageToken = next;
      calls += 1;
    } while (pageToken !== '');
    expect(paged).toEqual(all);
    expect(calls).toBe(Math.ceil(all.length / 70) + (all.length % 70 === 0 ? 1 : 0));
  });

  it('refuses to delete an audience that offers name, and deletes one they do not', async () => {
    await expect(admin.deleteAudience({ audienceId: 'lapsed' })).rejects.toMatchObject({
      code: 9,
    });
    await admin.deleteAudience({ audienceId: 'loyal' });
    await waitFor(async () => {
      const { audiences } = await stack.audiences.listAudiences({});
      return audiences.some((a) => a.audienceId === 'loyal') ? undefined : true;
    });
  });
  it('backfills while live events flow, ending like a brute-force count over both', async () => {
    const once = customersWhere(orders, (n) => n === 1).slice(0, 20);
    expect(once).toHaveLength(20);
    const after = Date.UTC(2010, 11, 23, 18, 0);
    const order = (userId: string, n: number) => ({
      type: 'track',
      event: 'Order Completed',
      userId,
      messageId: `live-${userId}-${n}`,
      timestamp: new Date(after + n * 1_000).toISOString(),
      properties: { order_id: `live-${userId}-${n}`, revenue: 5 },
    });
    // Second orders for 20 one-order customers, two orders for 20 new ones.
    const live = [
      ...once.map((id) => order(id, 1)),
      ...Array.from({ length: 20 }, (_, i) => [order(`new-${i}`, 1), order(`new-${i}`, 2)]).flat(),
    ];
    const audience = {
      id: 'busy',
      name: 'Busy',
      expression: 'features.orders_lifetime >= 2.0',
      description: 'two or more orders',
      version: 0,
    };
    await admin.createAudience({ audience });
    // Sent while the backfill runs (or right after it: the end state must not care).
    for (let i = 0; i < live.length; i += 10) {
      const report = await sendCalls(stack.nc, live.slice(i, i + 10), 'live');
      expect(report.accepted).toBe(Math.min(10, live.length - i));
    }
    await backfilled('busy@1');
    await stack.caughtUp();

    const expected = [
      ...customersWhere(orders, (n) => n >= 2),
      ...once,
      ...Array.from({ length: 20 }, (_, i) => `new-${i}`),
    ].sort();
    const members = await waitFor(async () => {
      const ids: string[] = [];
      for await (const chunk of stack.audiences.listMembers({ audienceId: 'busy' })) {
        ids.push(...chunk.profileIds);
      }
      const users = ids.map((id) => userIdOf(id)!).sort();
      return users.length === expected.length ? users : undefined;
    }, 30_000);
    expect(members).toEqual(expected);
  });
});
