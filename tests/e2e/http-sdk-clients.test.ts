import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics } from '@segment/analytics-node';
import { STREAMS, rawSubject, startLocalNatsServer } from '@pulse/nats';
import type { LocalNatsServer } from '@pulse/nats';
import { EventSchema, EventType } from '@pulse/proto';
import type { Event } from '@pulse/proto';
import { setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';
import { featureNumber, profileOf } from './helpers.js';

const SEGMENT_KEY = 'wk-segment';
const RUDDER_KEY = 'wk-rudder';
const AT = new Date('2024-05-01T12:00:00Z');

describe('real SDK clients against the HTTP intake', () => {
  let env: TestEnv;
  let stack: Stack;
  let baseUrl: string;
  let restarted: LocalNatsServer | undefined;

  beforeAll(async () => {
    env = await setup();
    stack = await startStack(env, {
      PULSE_WRITE_KEYS: `${SEGMENT_KEY}:segment,${RUDDER_KEY}:rudder`,
      PULSE_COLLECTOR_HTTP_HOST: '127.0.0.1',
      PULSE_COLLECTOR_HTTP_PORT: '0',
    });
    baseUrl = `http://127.0.0.1:${stack.collector.httpPort}`;
  });

  afterAll(async () => {
    await stack?.stop();
    await restarted?.stop();
    await env?.cleanup();
  });

  /** Events stored under one source, decoded from the raw stream. */
  async function storedEvents(source: string): Promise<Event[]> {
    const jsm = await jetstreamManager(stack.nc);
    const info = await jsm.streams.info(STREAMS.raw, { subjects_filter: rawSubject(source) });
    const expected = info.state.subjects?.[rawSubject(source)] ?? 0;
    const consumer = await jetstream(stack.nc).consumers.get(STREAMS.raw, {
      filter_subjects: rawSubject(source),
    });
    const events: Event[] = [];
    while (events.length < expected) {
      const batch = await consumer.fetch({ max_messages: expected, expires: 2_000 });
      for await (const m of batch) events.push(fromBinary(EventSchema, m.data));
    }
    return events;
  }

  it('stores every call of the RudderStack Node SDK once, with its fields', async () => {
    const errors: unknown[] = [];
    const client = new RudderAnalytics(RUDDER_KEY, {
      dataPlaneUrl: baseUrl,
      flushAt: 3,
      flushInterval: 50,
      errorHandler: (err) => errors.push(err),
    });
    const userId = 'rudder-1';
    client.identify({ userId, traits: { plan: 'silver', email: 'R1@Example.com' }, timestamp: AT });
    for (const [i, revenue] of [12.5, 7.25].entries()) {
      const properties = { order_id: `r-${i}`, revenue };
      client.track({ userId, event: 'Order Completed', properties, timestamp: AT });
    }
    client.page({ userId, name: 'Pricing', timestamp: AT });
    client.group({ userId, groupId: 'acme', timestamp: AT });
    client.alias({ userId, previousId: 'rudder-anon-1', timestamp: AT });
    // flush() sends one batch of up to flushAt calls; the SDK's timer sends the rest.
    await client.flush();
    const events = await waitFor(async () => {
      const stored = await storedEvents('rudder');
      return stored.length >= 6 ? stored : undefined;
    });
    expect(errors).toEqual([]);
    expect(events).toHaveLength(6);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(6);
    const byType = (type: EventType) => events.filter((e) => e.type === type);
    expect(byType(EventType.TRACK).map((e) => e.commerce?.revenue)).toEqual([12.5, 7.25]);
    expect(byType(EventType.IDENTIFY)[0]!.traits).toMatchObject({ plan: 'silver' });
    expect(byType(EventType.IDENTIFY)[0]!.identifiers).toContainEqual(
      expect.objectContaining({ type: 'email', value: 'r1@example.com' }),
    );
    expect(byType(EventType.PAGE)[0]!.name).toBe('Pricing');
    expect(byType(EventType.GROUP)[0]!.groupId).toBe('acme');
    expect(byType(EventType.ALIAS)[0]!.previousId).toBe('rudder-anon-1');
    expect(events.every((e) => timestampMs(e.timestamp!) === AT.getTime())).toBe(true);

    await stack.caughtUp();
    const profile = await profileOf(stack, 'user_id', userId);
    expect(featureNumber(profile!, 'spend_lifetime')).toBe(19.75); // 12.5 + 7.25
  });

  it('stores 100 tracks exactly once while nats-server restarts after the 50th', async () => {
    const jsm = await jetstreamManager(stack.nc);
    const before = (await jsm.streams.info(STREAMS.raw)).state.messages;
    const analytics = new Analytics({
      writeKey: SEGMENT_KEY,
      host: baseUrl,
      flushAt: 10,
      flushInterval: 20,
      maxRetries: 20,
    });
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    // Every attempt's message ids, in order, with the attempt's retry count.
    const attempts: { retry: number; ids: string[] }[] = [];
    analytics.on('http_request', ({ headers, body }) => {
      const ids = (JSON.parse(body).batch as { messageId: string }[]).map((e) => e.messageId);
      attempts.push({ retry: Number(headers['X-Retry-Count'] ?? 0), ids });
    });
    const track = (i: number) =>
      analytics.track({
        userId: `restart-${i % 5}`,
        event: 'Order Completed',
        timestamp: AT,
        properties: { order_id: `restart-${i}`, revenue: i },
      });

    for (let i = 1; i <= 50; i += 1) track(i);
    await waitFor(async () => {
      const stored = (await jsm.streams.info(STREAMS.raw)).state.messages;
      return stored === before + 50 ? true : undefined;
    });
    await env.nats.stop();
    for (let i = 51; i <= 100; i += 1) track(i);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let requests fail
    restarted = await startLocalNatsServer({
      storeDir: join(env.dir, 'jetstream'),
      port: env.nats.port,
    });
    await analytics.closeAndFlush({ timeout: 90_000 });
    expect(errors).toEqual([]);

    const retried = attempts.filter((a) => a.retry > 0);
    expect(retried.length).toBeGreaterThan(0);
    for (const retry of retried) {
      // A retry repeats an earlier attempt's batch with the same message ids.
      expect(attempts.some((a) => a.retry === 0 && a.ids.join() === retry.ids.join())).toBe(true);
    }
    expect(new Set(attempts.flatMap((a) => a.ids)).size).toBe(100);
    expect((await jsm.streams.info(STREAMS.raw)).state.messages).toBe(before + 100);

    await stack.caughtUp();
    for (let user = 0; user < 5; user += 1) {
      let revenue = 0;
      for (let i = 1; i <= 100; i += 1) if (i % 5 === user) revenue += i;
      const profile = await profileOf(stack, 'user_id', `restart-${user}`);
      expect(featureNumber(profile!, 'orders_lifetime')).toBe(20);
      expect(featureNumber(profile!, 'spend_lifetime')).toBe(revenue);
    }
  }, 150_000);

  it('names a 40 KB event in a batch of 20 and stores the other 19', async () => {
    const jsm = await jetstreamManager(stack.nc);
    const messages = async (name: string) => (await jsm.streams.info(name)).state.messages;
    const counts = async () => [await messages(STREAMS.raw), await messages(STREAMS.deadLetter)];
    const [rawBefore = 0, dlqBefore = 0] = await counts();
    const batch = Array.from({ length: 20 }, (_, i) => ({
      type: 'track',
      userId: 'batch-20',
      event: 'Order Completed',
      messageId: `batch-20-${i}`,
      timestamp: AT.toISOString(),
      properties: {
        order_id: `batch-20-${i}`,
        revenue: 1,
        ...(i === 7 ? { note: 'x'.repeat(40 * 1024) } : {}),
      },
    }));
    const response = await fetch(`${baseUrl}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${SEGMENT_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch }),
    });

    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      accepted: number;
      rejected: number;
      results: { index: number; outcome: string; field: string; reason: string }[];
    };
    expect(report).toMatchObject({ accepted: 19, rejected: 1 });
    const rejected = report.results.filter((r) => r.outcome === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ index: 7, field: '$' });
    expect(rejected[0]!.reason).toContain('32 KB');
    expect(await counts()).toEqual([rawBefore + 19, dlqBefore + 1]);
    await stack.caughtUp();
    const profile = await profileOf(stack, 'user_id', 'batch-20');
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(19);
  });
});
