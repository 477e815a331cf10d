import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { createClient } from '@pulse/grpc';
import type { ServiceClient } from '@pulse/grpc';
import { STREAMS, rawSubject } from '@pulse/nats';
import { AudienceAdminService, AudienceTransitionSchema, TransitionReason } from '@pulse/proto';
import type { AudienceTransition } from '@pulse/proto';
import { setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { RETAIL_DEFINITIONS, sendCalls, startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';
import { order, profileOf } from './helpers.js';

const DAY_MS = 86_400_000;
const MARCH_1 = Date.UTC(2024, 2, 1);
const iso = (ms: number) => new Date(ms).toISOString();

const EXTRA_FEATURE = `
  - id: products_added_7d
    kind: count
    events: [Product Added]
    window: 7d
`;
const EXTRA_AUDIENCE = `
  - id: product_added_7d
    name: Added a product this week
    expression: features.products_added_7d >= 1.0
`;
const EXTRA_OFFER = `
  - id: cart_reminder
    name: Still thinking about it?
    placements: [email]
    audiences:
      include: [product_added_7d]
    priority: 1
    value: 1
`;

/** Cases from issue 4, with expected values worked out by hand. */
describe('audience cases from the issue', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: ServiceClient<typeof AudienceAdminService>;

  beforeAll(async () => {
    env = await setup();
    const dir = join(env.dir, 'definitions');
    cpSync(RETAIL_DEFINITIONS, dir, { recursive: true });
    appendFileSync(join(dir, 'features.yaml'), EXTRA_FEATURE);
    appendFileSync(join(dir, 'audiences.yaml'), EXTRA_AUDIENCE);
    appendFileSync(join(dir, 'offers.yaml'), EXTRA_OFFER);
    stack = await startStack(env, {
      PULSE_CLOCK: 'event',
      PULSE_AUDIENCE_STORE: 'kv',
      PULSE_DEFINITIONS_DIR: dir,
    });
    admin = createClient(AudienceAdminService, `127.0.0.1:${stack.engine.grpcPort}`, {
      deadlineMs: 30_000,
    });
  });

  afterAll(async () => {
    admin?.close();
    await stack?.stop();
    await env?.cleanup();
  });

  /** Moves the event clock to `atMs` with an event of another user. */
  async function clockTo(atMs: number, messageId: string) {
    const call = {
      type: 'track',
      event: 'Page Viewed',
      userId: 'u9',
      messageId,
      timestamp: iso(atMs),
    };
    await sendCalls(stack.nc, [call]);
    await stack.caughtUp();
  }

  async function transitionsOf(audienceId: string, profileId: string, count: number) {
    const consumer = await jetstream(stack.nc).consumers.get(STREAMS.audience, {
      filter_subjects: `pulse.audience.${audienceId}`,
    });
    const seen: AudienceTransition[] = [];
    for await (const m of await consumer.fetch({ max_messages: 1_000, expires: 1_000 })) {
      const t = fromBinary(AudienceTransitionSchema, m.data);
      if (t.profileId === profileId) seen.push(t);
    }
    return seen.length >= count ? seen : undefined;
  }

  const u8 = { type: 'user_id', value: 'u8' };
  const isMember = async () =>
    (await stack.audiences.check({ audienceId: 'product_added_7d', identifier: u8 })).member;
  const emailOffers = async () => {
    const decision = await stack.decisions.decide({ placement: 'email', identifiers: [u8] });
    return decision.offers.map((o) => o.offerId);
  };

  it('drops u8 eight days after a Product Added, with one exit for reason time', async () => {
    const event = { type: 'track', event: 'Product Added', userId: 'u8', messageId: 'pa-1' };
    await sendCalls(stack.nc, [{ ...event, timestamp: iso(MARCH_1) }]);
    await stack.caughtUp();

    await clockTo(MARCH_1 + 4 * DAY_MS, 'clock-03-05');
    expect(await isMember()).toBe(true);
    expect(await emailOffers()).toContain('cart_reminder');

    await clockTo(MARCH_1 + 8 * DAY_MS, 'clock-03-09');
    expect(await isMember()).toBe(false);
    expect(await emailOffers()).not.toContain('cart_reminder');

    const profileId = (await profileOf(stack, 'user_id', 'u8'))!.profileId;
    const seen = await waitFor(() => transitionsOf('product_added_7d', profileId, 2), 15_000, 200);
    expect(seen.map((t) => [t.entered, t.reason])).toEqual([
      [true, TransitionReason.EVENT],
      [false, TransitionReason.TIME],
    ]);
    // Computed when the event clock reached 03-09 (just after that event).
    expect(timestampMs(seen[1]!.at!)).toBe(MARCH_1 + 8 * DAY_MS + 1);
  });

  it('counts a purchase of 100 delivered twice once: "spent at least 150" excludes it', async () => {
    const audience = {
      id: 'spent_150',
      name: 'Spent 150',
      expression: 'features.spend_lifetime >= 150.0',
      description: '',
      version: 0,
    };
    await admin.createAudience({ audience });
    await waitFor(async () => {
      const { audiences } = await stack.audiences.listAudiences({});
      return audiences.some((a) => a.audienceId === 'spent_150') ? true : undefined;
    });
    const at = MARCH_1 + 9 * DAY_MS;
    await sendCalls(stack.nc, [order('c100', 'buy-100', iso(at), 100)]);
    await stack.caughtUp();

    // The same stored event again on the raw stream under a new stream
    // sequence, as a delivery repeated after the ack wait: JetStream cannot
    // drop it, the engine's dedupe index must.
    const { store } = stack.engine.context;
    const appliedBefore = store.appliedSequence(STREAMS.raw);
    const js = jetstream(stack.nc);
    const stored = await findRaw(stack, 'buy-100');
    const h = headers();
    h.set('Nats-Msg-Id', 'buy-100-redelivered');
    await js.publish(rawSubject('test'), stored, { headers: h });
    await stack.caughtUp();
    expect(store.appliedSequence(STREAMS.raw)).toBe(appliedBefore + 1);

    const check = { audienceId: 'spent_150', identifier: { type: 'user_id', value: 'c100' } };
    expect((await stack.audiences.check(check)).member).toBe(false);
    const profile = await profileOf(stack, 'user_id', 'c100');
    const spend = profile!.features.find((f) => f.featureId === 'spend_lifetime')?.value;
    expect(spend).toMatchObject({ case: 'number', value: 100 });
  });
});

/** The raw stream's bytes of the event with `messageId`. */
async function findRaw(stack: Stack, messageId: string): Promise<Uint8Array> {
  const consumer = await jetstream(stack.nc).consumers.get(STREAMS.raw);
  for await (const m of await consumer.fetch({ max_messages: 1_000, expires: 1_000 })) {
    if (m.headers?.get('Nats-Msg-Id') === messageId) return m.data;
  }
  throw new Error(`no raw message ${messageId}`);
}
