import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { JetStreamClient } from '@nats-io/jetstream';
import { silentLogger } from '@pulse/logging';
import { pino } from 'pino';
import { startHttpIntake } from '../src/http-intake.js';
import type { HttpIntake } from '../src/http-intake.js';

const AUTH = { authorization: `Basic ${Buffer.from('wk:').toString('base64')}` };
const CALL = { userId: 'u-1', event: 'Viewed', messageId: 'm-1', timestamp: '2024-05-01T12:00Z' };

describe('startHttpIntake', () => {
  let intake: HttpIntake | undefined;

  afterEach(async () => {
    await intake?.close(1_000);
    intake = undefined;
  });

  async function start(publish: () => Promise<unknown>, logger = silentLogger()): Promise<string> {
    const js = { publish } as unknown as JetStreamClient;
    const writeKeys = new Map([['wk', 'web']]);
    const auth = { writeKeys, access: undefined };
    const options = { js, host: '127.0.0.1', port: 0, auth, logger };
    intake = await startHttpIntake(options);
    return `http://127.0.0.1:${intake.port}`;
  }

  it('answers 503 when JetStream does not acknowledge', async () => {
    const url = await start(() => Promise.reject(new Error('no responders')));
    const response = await fetch(`${url}/v1/track`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify(CALL),
    });
    expect(response.status).toBe(503);
  });

  it('refuses a gzip body that inflates past 500 KB, naming the limit', async () => {
    let published = 0;
    const url = await start(async () => published++);
    const batch = { batch: [{ ...CALL, type: 'track', note: 'z'.repeat(600 * 1024) }] };
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(batch)),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('500 KB');
    expect(published).toBe(0);
  });

  it('answers the sender X-Request-Id and logs the failure under it', async () => {
    const lines: { requestId?: string; msg?: string }[] = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line)) };
    const url = await start(() => Promise.reject(new Error('no responders')), pino({}, sink));
    const response = await fetch(`${url}/v1/track`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', 'x-request-id': 'shop-42' },
      body: JSON.stringify(CALL),
    });
    expect(response.headers.get('x-request-id')).toBe('shop-42');
    const failure = lines.find((line) => line.msg === 'http ingest could not reach JetStream');
    expect(failure?.requestId).toBe('shop-42');
  });

  it('gives a request without an id a fresh one per request', async () => {
    const url = await start(async () => ({ duplicate: false }));
    const send = () =>
      fetch(`${url}/v1/track`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify(CALL),
      });
    const ids = [await send(), await send()].map((r) => r.headers.get('x-request-id'));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
