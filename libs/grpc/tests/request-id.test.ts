import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { DiagnosticsService } from '@pulse/proto';
import { afterEach, describe, expect, it } from 'vitest';

import { bindService, requestIdOf } from '../src/index.js';
import type { CallContext } from '../src/index.js';
import { Cleanup, captureLogger, startServer } from './harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Serves Ping with `ping`, logging into a captured logger. */
async function servePing(ping: (request: unknown, call: CallContext) => Promise<object>) {
  const captured = captureLogger('debug');
  const service = bindService(DiagnosticsService, { ping }, { logger: captured.logger });
  const server = cleanup.server(await startServer([service], { logger: captured.logger }));
  return { address: server.address, lines: captured.lines };
}

/**
 * Calls Ping with raw grpc-js and resolves with the response headers' request
 * id; a failed call rejects with an error carrying it as `requestId`.
 */
function pingHeaders(address: string, requestId?: string): Promise<string | undefined> {
  const raw = new Client(address, credentials.createInsecure());
  cleanup.add(() => raw.close());
  const metadata = new Metadata();
  if (requestId !== undefined) metadata.set('x-request-id', requestId);
  const identity = (bytes: Buffer): Buffer => bytes;
  return new Promise((resolve, reject) => {
    let id: string | undefined;
    const path = '/pulse.v1.DiagnosticsService/Ping';
    const call = raw.makeUnaryRequest(path, identity, identity, Buffer.alloc(0), metadata, (e) =>
      e ? reject(Object.assign(e, { requestId: id })) : resolve(id),
    );
    call.on('metadata', (headers: Metadata) => (id = headers.get('x-request-id')[0] as string));
  });
}

describe('request ids', () => {
  it('keeps the caller id, hands it to the handler and answers it in the headers', async () => {
    let seen: string | undefined;
    const { address } = await servePing(async (_request, call) => {
      seen = call.requestId;
      return {};
    });

    expect(await pingHeaders(address, 'order-7f3a.retry:2')).toBe('order-7f3a.retry:2');
    expect(seen).toBe('order-7f3a.retry:2');
  });

  it.each([
    ['none', undefined],
    ['one with spaces', 'not an id'],
    ['one too long', 'x'.repeat(129)],
  ])('generates a UUID when the caller sent %s', async (_case, sent) => {
    let seen: string | undefined;
    const { address } = await servePing(async (_request, call) => {
      seen = call.requestId;
      return {};
    });

    const answered = await pingHeaders(address, sent);
    expect(answered).toMatch(UUID);
    expect(seen).toBe(answered);
  });

  it('binds the id to the log lines of a failed call', async () => {
    const { address, lines } = await servePing(async (_request, call) => {
      call.logger.info('handler ran');
      throw new Error('boom');
    });

    const failure = await pingHeaders(address, 'trace-me').catch((err: unknown) => err);
    expect((failure as { requestId?: string }).requestId).toBe('trace-me');
    const mine = lines.filter((line) => line.requestId === 'trace-me');
    expect(mine.map((line) => line.msg)).toEqual(expect.arrayContaining(['handler ran']));
    expect(mine.some((line) => line.level === 50)).toBe(true);
  });

  it.each([
    ['abc-123', 'abc-123'],
    ['', undefined],
    ['a b', undefined],
    [42, undefined],
  ])('accepts %j as a caller id: %j', (value, expected) => {
    expect(requestIdOf(value)).toBe(expected);
  });
});
