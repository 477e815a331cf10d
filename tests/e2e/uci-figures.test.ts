import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishCalls } from '@pulse/client';
import { readFeatures } from '@pulse/features';
import { readUciOnlineRetail } from '@pulse/loaders';
import { UCI_FILE, setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';
import { featureNumber, profileOf } from './helpers.js';
import {
  customerWindow,
  customersWithOrders,
  customersWithOrdersBetween,
  mostActiveCustomers,
  netRevenuePence,
  readReferenceInvoices,
} from './uci-reference.js';
import type { ReferenceInvoice } from './uci-reference.js';

/** Midnight after the file's last event: bucket-aligned, so windows are exact there. */
const AT_MS = Date.UTC(2010, 11, 24);

describe.skipIf(!existsSync(UCI_FILE))('the UCI Online Retail file end to end', () => {
  let env: TestEnv;
  let stack: Stack;
  let invoices: ReferenceInvoice[];

  beforeAll(async () => {
    invoices = readReferenceInvoices(UCI_FILE);
    env = await setup();
    stack = await startStack(env, { PULSE_CLOCK: 'event' });
    const totals = await publishCalls(readUciOnlineRetail(UCI_FILE), {
      nc: stack.nc,
      source: 'uci',
    });
    expect(totals.rejected).toBe(0);
    await stack.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.cleanup();
  });

  it('holds the net revenue of the whole file across all profiles', () => {
    expect(netRevenuePence(invoices)).toBe(74_895_702); // the figure the data's README gives
    const { store, definitions, clock } = stack.engine.context;
    let totalPence = 0;
    for (const id of store.profileIds()) {
      const features = readFeatures(
        store.getProfile(id)!.features as never,
        definitions().features,
        clock.now(),
      );
      totalPence += Math.round((features.spend_lifetime as number) * 100);
    }
    expect(totalPence).toBe(74_895_702);
  });

  it("matches a brute-force reference for customers' 7-day spend and orders", async () => {
    const busiest = mostActiveCustomers(invoices, 5);
    for (const customerId of busiest) {
      const expected = customerWindow(invoices, customerId, AT_MS, 7);
      const profile = await profileOf(stack, 'user_id', customerId, AT_MS);
      expect(featureNumber(profile!, 'orders_7d'), customerId).toBe(expected.orders);
      const spendPence = Math.round(featureNumber(profile!, 'spend_7d')! * 100);
      expect(spendPence, customerId).toBe(expected.spendPence);
    }
  });

  it('sizes "two or more orders within 7 days" like the reference at a given instant', async () => {
    const expected = customersWithOrders(invoices, AT_MS, 7, 2);
    expect(expected.length).toBeGreaterThan(5);
    const members: string[] = [];
    const asOf = { seconds: BigInt(AT_MS / 1_000), nanos: 0 };
    for await (const chunk of stack.audiences.listMembers({
      audienceId: 'repeat_buyers_7d',
      asOf,
    })) {
      members.push(...chunk.profileIds);
    }
    const { store } = stack.engine.context;
    const userIds = members.map((profileId) => {
      const user = store.getProfile(profileId)!.identifiers.find(([type]) => type === 'user_id');
      return user![1];
    });
    expect(userIds.sort()).toEqual(expected);
  });

  it('keeps the live index of "two or more orders in 7 days" true as the data ages', async () => {
    const { store, clock } = stack.engine.context;
    await waitFor(() => (store.dueRechecks(clock.now(), 1).length === 0 ? true : undefined));
    // The event clock's now is just after the newest event (23 Dec 17:41). A 7-day
    // window in 1-hour buckets then counts from the start of the hour 7 days before.
    const newestMs = Math.max(...invoices.map((i) => i.timeMs));
    const startMs = Math.floor((newestMs + 1 - 7 * 86_400_000) / 3_600_000) * 3_600_000;
    const expected = customersWithOrdersBetween(invoices, startMs, newestMs, 2);
    const userIds = [...store.memberIds('repeat_buyers_7d')].map(
      (id) => store.getProfile(id)!.identifiers.find(([type]) => type === 'user_id')![1],
    );
    expect(userIds.sort()).toEqual(expected);
  });

  it('answers Check exactly like the reference for members and non-members', async () => {
    const asOf = { seconds: BigInt(AT_MS / 1_000), nanos: 0 };
    const members = new Set(customersWithOrders(invoices, AT_MS, 7, 2));
    for (const customerId of mostActiveCustomers(invoices, 20)) {
      const identifier = { type: 'user_id', value: customerId };
      const { member } = await stack.audiences.check({
        audienceId: 'repeat_buyers_7d',
        identifier,
        asOf,
      });
      expect(member, customerId).toBe(members.has(customerId));
    }
  });

  it('refuses an as_of before the newest applied event, naming the field', async () => {
    const asOf = { seconds: BigInt(Date.UTC(2010, 11, 10) / 1_000), nanos: 0 };
    const identifier = { type: 'user_id', value: mostActiveCustomers(invoices, 1)[0]! };
    await expect(stack.profiles.getProfile({ identifier, asOf })).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining('as_of'),
    });
  });

  it('decides offers for a known customer with reasons and a decision id', async () => {
    const [customerId] = mostActiveCustomers(invoices, 1);
    const decision = await stack.decisions.decide({
      placement: 'homepage',
      identifiers: [{ type: 'user_id', value: customerId! }],
      limit: 3,
      explain: true,
    });
    expect(decision.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(decision.offers.length).toBeGreaterThan(0);
    const scores = decision.offers.map((o) => o.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const offer of decision.offers) expect(offer.reasons.length).toBeGreaterThan(0);
  });
});
