import { status as Status } from '@grpc/grpc-js';
import { AudienceService, DiagnosticsService } from '@pulse/proto';
import { afterEach, describe, expect, it } from 'vitest';

import { bindService, createClient } from '../src/index.js';
import { Cleanup, captureLogger, rejectionOf, startServer } from './harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const { logger } = captureLogger();

describe('createClient', () => {
  it('fails a unary call past its deadline with DEADLINE_EXCEEDED', async () => {
    let calls = 0;
    let aborted = false;
    const ping = async (_request: unknown, call: { signal: AbortSignal }) => {
      calls += 1;
      if (calls === 1) return {};
      await new Promise((resolve) => call.signal.addEventListener('abort', resolve));
      aborted = true;
      return {};
    };
    const server = cleanup.server(
      await startServer([bindService(DiagnosticsService, { ping }, { logger })]),
    );
    const client = cleanup.client(DiagnosticsService, server.address);
    // A first call connects the channel: on a loaded machine connecting alone
    // can outlast 50 ms, and the call would then never reach the server.
    await client.ping({});

    const err = await rejectionOf(client.ping({}, { deadlineMs: 50 }));

    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    await expect.poll(() => aborted, { timeout: 5_000 }).toBe(true);
  });

  it('gives a unary call that sets no deadline one of 2 s', async () => {
    let calls = 0;
    const ping = async (_request: unknown, call: { signal: AbortSignal }) => {
      calls += 1;
      if (calls > 1) await new Promise((resolve) => call.signal.addEventListener('abort', resolve));
      return {};
    };
    const server = cleanup.server(
      await startServer([bindService(DiagnosticsService, { ping }, { logger })]),
    );
    const client = cleanup.client(DiagnosticsService, server.address);
    await client.ping({});

    const started = performance.now();
    const err = await rejectionOf(client.ping({}));
    const elapsedMs = performance.now() - started;

    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(elapsedMs).toBeGreaterThanOrEqual(1_990);
    expect(elapsedMs).toBeLessThan(2_500);
  });

  it('waits past the default when the caller asks for no deadline', async () => {
    const ping = async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      return {};
    };
    const server = cleanup.server(
      await startServer([bindService(DiagnosticsService, { ping }, { logger })]),
    );
    const client = cleanup.client(DiagnosticsService, server.address);

    await expect(client.ping({}, { deadlineMs: Infinity })).resolves.toBeDefined();
  });

  it('rejects with UNAVAILABLE when nothing listens', async () => {
    const client = createClient(DiagnosticsService, '127.0.0.1:1', { deadlineMs: 2_000 });
    cleanup.add(() => client.close());

    const err = await rejectionOf(client.ping({}));

    expect(err.code).toBe(Status.UNAVAILABLE);
  });

  it('does not start a streaming call until it is iterated', async () => {
    let calls = 0;
    const handlers = {
      check: async () => ({}),
      batchCheck: async () => ({}),
      listAudiences: async () => ({}),
      async *listMembers() {
        calls++;
        yield { profileIds: ['p1'] };
      },
    };
    const server = cleanup.server(
      await startServer([bindService(AudienceService, handlers, { logger })]),
    );
    const client = cleanup.client(AudienceService, server.address);

    const members = client.listMembers({ audienceId: 'a1' });
    await client.check({});
    expect(calls).toBe(0);

    for await (const response of members) {
      expect(response.profileIds).toEqual(['p1']);
      break;
    }
    expect(calls).toBe(1);
  });

  it('exposes one method per RPC by local name, plus close', () => {
    const client = createClient(AudienceService, '127.0.0.1:1');
    cleanup.add(() => client.close());

    expect(Object.keys(client).sort()).toEqual(
      ['batchCheck', 'check', 'close', 'listAudiences', 'listMembers'].sort(),
    );
  });
});
