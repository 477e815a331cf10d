import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { Analytics } from '@segment/analytics-node';
import { STREAMS } from '@pulse/nats';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';
import { featureNumber, order, profileOf } from './helpers.js';

const WRITE_KEY = 'wk-shop';
const AT = '2024-05-01T12:00:00Z';

describe('the Segment HTTP intake', () => {
  let env: TestEnv;
  let stack: Stack;
  let baseUrl: string;

  beforeAll(async () => {
    env = await setup();
    stack = await startStack(env, {
      PULSE_WRITE_KEYS: `${WRITE_KEY}:web,wk-other:mobile`,
      PULSE_COLLECTOR_HTTP_HOST: '127.0.0.1',
      PULSE_COLLECTOR_HTTP_PORT: '0',
    });
    baseUrl = `http://127.0.0.1:${stack.collector.httpPort}`;
  });

  afterAll(async () => {
    await stack.stop();
    await env.cleanup();
  });

  /** POSTs `body` (a string is sent as is) with the write key as Basic auth user. */
  function post(
    path: string,
    body: unknown,
    init: { key?: string; headers?: Record<string, string> } = {},
  ) {
    const auth: Record<string, string> = init.key ? { authorization: basic(init.key) } : {};
    return fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, ...init.headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
  }

  async function storedCounts(): Promise<number[]> {
    const jsm = await jetstreamManager(stack.nc);
    const raw = await jsm.streams.info(STREAMS.raw);
    const dlq = await jsm.streams.info(STREAMS.deadLetter);
    return [raw.state.messages, dlq.state.messages];
  }

  it('takes track, identify and page from @segment/analytics-node', async () => {
    const errors: unknown[] = [];
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: baseUrl,
      flushAt: 2,
      flushInterval: 50,
    });
    analytics.on('error', (err) => errors.push(err));
    const userId = 'http-sdk-1';
    const timestamp = new Date(AT);
    analytics.identify({ userId, traits: { plan: 'gold' }, timestamp });
    analytics.track({
      userId,
      event: 'Order Completed',
      timestamp,
      properties: { order_id: 'h-1', revenue: 42.5 },
    });
    analytics.track({
      userId,
      event: 'Order Completed',
      timestamp,
      properties: { order_id: 'h-2', revenue: 17.25 },
    });
    analytics.page({ userId, name: 'Home', timestamp });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    await stack.caughtUp();
    const profile = await profileOf(stack, 'user_id', userId);
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(2);
    expect(featureNumber(profile!, 'spend_lifetime')).toBe(59.75); // 42.5 + 17.25
    expect(profile!.traits).toMatchObject({ plan: 'gold' });
  });

  it('answers 401 without a write key', async () => {
    const response = await post('/v1/track', order('http-auth', 'm-auth-1', AT));
    expect(response.status).toBe(401);
    expect(await response.json()).toHaveProperty('error');
  });

  it('answers 401 for an unknown write key', async () => {
    const response = await post('/v1/track', order('http-auth', 'm-auth-2', AT), { key: 'nope' });
    expect(response.status).toBe(401);
    expect(await response.json()).toHaveProperty('error');
  });

  it('accepts the write key in the body and takes the type from the path', async () => {
    const { type: _type, ...call } = order('http-body-key', 'm-body-key', AT);
    const response = await post('/v1/track', { ...call, writeKey: 'wk-other' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, accepted: 1 });
  });

  it('answers 400 for invalid JSON', async () => {
    const response = await post('/v1/batch', '{"batch": [', { key: WRITE_KEY });
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error).toMatch(/JSON/);
  });

  it('rejects a 40 KB event naming the 32 KB limit, and takes the two beside it', async () => {
    const big = order('http-size', 'm-size-big', AT);
    big.properties = { ...big.properties, note: 'x'.repeat(40 * 1024) } as never;
    const batch = [order('http-size', 'm-size-1', AT), big, order('http-size', 'm-size-2', AT)];
    const response = await post('/v1/batch', { batch }, { key: WRITE_KEY });

    expect(response.status).toBe(200);
    const report = await bodyOf(response);
    expect(report).toMatchObject({ success: true, accepted: 2, duplicates: 0, rejected: 1 });
    expect(report.results[1]).toMatchObject({ index: 1, outcome: 'rejected' });
    expect(report.results[1]?.reason).toContain('32 KB');
  });

  it('refuses a body over 500 KB with 400 and stores nothing', async () => {
    const before = await storedCounts();
    const batch = Array.from({ length: 20 }, (_, i) => {
      const call = order('http-huge', `m-huge-${i}`, AT);
      return { ...call, properties: { ...call.properties, note: 'y'.repeat(30 * 1024) } };
    });
    const response = await post('/v1/batch', { batch }, { key: WRITE_KEY });

    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error).toContain('500 KB');
    expect(await storedCounts()).toEqual(before);
  });

  it('takes a gzip-compressed batch', async () => {
    const batch = [order('http-gzip', 'm-gzip-1', AT, 5), order('http-gzip', 'm-gzip-2', AT, 7)];
    const body = gzipSync(JSON.stringify({ batch }));
    const headers = { 'content-encoding': 'gzip' };
    const response = await post('/v1/import', body, { key: WRITE_KEY, headers });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 2, rejected: 0 });
    await stack.caughtUp();
    const profile = await profileOf(stack, 'user_id', 'http-gzip');
    expect(featureNumber(profile!, 'spend_lifetime')).toBe(12);
  });

  it('counts a message id sent twice once', async () => {
    const call = order('http-dup', 'm-http-dup', AT, 30);
    const first = await post('/v1/track', call, { key: WRITE_KEY });
    const second = await post('/v1/track', call, { key: WRITE_KEY });

    expect(await first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await second.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await stack.caughtUp();
    const profile = await profileOf(stack, 'user_id', 'http-dup');
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(1);
    expect(featureNumber(profile!, 'spend_lifetime')).toBe(30);
  });

  it('answers a CORS preflight from any origin', async () => {
    const response = await fetch(`${baseUrl}/v1/track`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
  });
});

/** The intake's answer: a report on 200, `error` otherwise. */
interface HttpAnswer {
  error?: string;
  accepted?: number;
  results: { index: number; outcome: string; reason: string }[];
}

async function bodyOf(response: Response): Promise<HttpAnswer> {
  return (await response.json()) as HttpAnswer;
}

function basic(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}
