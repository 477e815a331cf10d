import { setTimeout as sleep } from 'node:timers/promises';

import { Client, Metadata, credentials, status as Status } from '@grpc/grpc-js';
import { AudienceService, DiagnosticsService } from '@pulse/proto';
import { afterEach, describe, expect, it } from 'vitest';

import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  bindService,
} from '../src/index.js';
import type { CallContext, ServiceHandlers } from '../src/index.js';
import { Cleanup, captureLogger, rejectionOf, startServer } from './harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

type PingHandler = ServiceHandlers<typeof DiagnosticsService>['ping'];
type ListMembersHandler = ServiceHandlers<typeof AudienceService>['listMembers'];

const unused = async (): Promise<never> => {
  throw new Error('not used in this test');
};

async function serveAudience(listMembers: ListMembersHandler) {
  const { logger } = captureLogger();
  const handlers = { check: unused, batchCheck: unused, listAudiences: unused, listMembers };
  const server = cleanup.server(
    await startServer([bindService(AudienceService, handlers, { logger })], { logger }),
  );
  return cleanup.client(AudienceService, server.address);
}

async function servePing(ping: PingHandler, logger = captureLogger().logger) {
  const server = cleanup.server(
    await startServer([bindService(DiagnosticsService, { ping }, { logger })], { logger }),
  );
  return { server, client: cleanup.client(DiagnosticsService, server.address) };
}

describe('bindService unary', () => {
  it('round-trips DiagnosticsService.Ping with the payload bytes intact', async () => {
    const { client } = await servePing(async (request) => ({ payload: request.payload }));
    const payload = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);

    const response = await client.ping({ payload });

    expect(Buffer.from(response.payload).equals(Buffer.from(payload))).toBe(true);
  });

  it('answers InvalidArgumentError with INVALID_ARGUMENT naming the field', async () => {
    const { client } = await servePing(async () => {
      throw new InvalidArgumentError('audience_id', 'must be a non-empty string');
    });

    const err = await rejectionOf(client.ping({}));

    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.details).toBe('audience_id: must be a non-empty string');
    expect(err.metadata.get('pulse-field')).toEqual(['audience_id']);
  });

  it.each([
    ['InvalidEventError', Status.INVALID_ARGUMENT],
    ['DefinitionError', Status.INVALID_ARGUMENT],
    ['RuleError', Status.INVALID_ARGUMENT],
    ['SomeOtherError', Status.INTERNAL],
  ])('maps a %s with a field to %i', async (name, code) => {
    const { client } = await servePing(async () => {
      throw Object.assign(new Error('must be a known type'), { name, field: 'event.type' });
    });

    const err = await rejectionOf(client.ping({}));

    expect(err.code).toBe(code);
    if (code === Status.INVALID_ARGUMENT) expect(err.details).toContain('event.type');
  });

  it.each([
    [new NotFoundError('audience', 'a1'), Status.NOT_FOUND],
    [new FailedPreconditionError('definitions not loaded'), Status.FAILED_PRECONDITION],
    [new UnavailableError('owner moving'), Status.UNAVAILABLE],
  ])('maps %s to code %i with its message as details', async (error, code) => {
    const { client } = await servePing(async () => {
      throw error;
    });

    const err = await rejectionOf(client.ping({}));

    expect(err.code).toBe(code);
    expect(err.details).toBe(error.message);
  });

  it('answers an unexpected error with INTERNAL, logs it and leaks nothing', async () => {
    const { logger, lines } = captureLogger();
    const { client } = await servePing(async () => {
      throw new Error('secret-token in connection string');
    }, logger);

    const err = await rejectionOf(client.ping({}));

    expect(err.code).toBe(Status.INTERNAL);
    expect(err.details).not.toContain('secret-token');
    const logged = lines.find((line) => line.msg === 'call failed');
    expect(logged).toMatchObject({
      level: 50,
      err: { message: expect.stringContaining('secret') },
    });
  });

  it('answers a synchronous throw the same way as a rejection', async () => {
    const { client } = await servePing((() => {
      throw new InvalidArgumentError('payload', 'too short');
    }) as unknown as PingHandler);

    const err = await rejectionOf(client.ping({}));

    expect(err.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('answers a garbage request body with INVALID_ARGUMENT', async () => {
    const { server } = await servePing(async () => ({}));
    const raw = new Client(server.address, credentials.createInsecure());
    const identity = (bytes: Buffer): Buffer => bytes;
    // Field 1, length-delimited, claims 5 bytes but carries 1.
    const garbage = Buffer.from([0x0a, 0x05, 0x01]);

    const err = await rejectionOf(
      new Promise((resolve, reject) => {
        const path = '/pulse.v1.DiagnosticsService/Ping';
        raw.makeUnaryRequest(path, identity, identity, garbage, (e, v) =>
          e ? reject(e) : resolve(v),
        );
      }),
    );
    raw.close();

    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.details).toContain('pulse.v1.PingRequest');
  });

  it('gives the handler the deadline, metadata and peer of the call', async () => {
    let seen: { deadline?: Date; source?: unknown; peer?: string } = {};
    const { client } = await servePing(async (_request, call: CallContext) => {
      seen = { deadline: call.deadline, source: call.metadata.get('x-source')[0], peer: call.peer };
      return {};
    });
    const metadata = new Metadata();
    metadata.set('x-source', 'test');

    await client.ping({}, { deadlineMs: 5_000, metadata });

    expect(seen.deadline?.getTime()).toBeGreaterThan(Date.now());
    expect(seen.source).toBe('test');
    expect(seen.peer).toContain('127.0.0.1');
  });

  it.each([
    ['debug', 1],
    ['info', 0],
  ])('logs each finished call only at debug (level %s)', async (level, count) => {
    const { logger, lines } = captureLogger(level);
    const { client } = await servePing(async () => ({}), logger);

    await client.ping({});

    const finished = lines.filter((line) => line.msg === 'call finished');
    expect(finished).toHaveLength(count);
    if (count)
      expect(finished[0]).toMatchObject({ method: expect.stringMatching(/Ping$/), code: 'OK' });
  });

  it("sends the bytes of the method's own response serializer", async () => {
    const { logger } = captureLogger();
    const ping: PingHandler = async (request) => ({ payload: request.payload });
    // PingResponse { payload: the request's payload reversed }
    const reversed = (response: { payload?: Uint8Array }) =>
      Buffer.from([0x0a, response.payload!.length, ...response.payload!.toReversed()]);
    const options = { logger, responseSerializers: { ping: reversed } };
    const server = cleanup.server(
      await startServer([bindService(DiagnosticsService, { ping }, options)], { logger }),
    );
    const client = cleanup.client(DiagnosticsService, server.address);

    const response = await client.ping({ payload: new Uint8Array([1, 2, 3]) });

    expect([...response.payload]).toEqual([3, 2, 1]);
  });

  it('throws TypeError at bind time when a handler is missing', () => {
    const { logger } = captureLogger();
    const handlers = {} as ServiceHandlers<typeof DiagnosticsService>;

    expect(() => bindService(DiagnosticsService, handlers, { logger })).toThrow(TypeError);
  });
});

describe('bindService server streaming', () => {
  it('delivers every chunk of AudienceService.ListMembers in order', async () => {
    const client = await serveAudience(async function* () {
      yield { profileIds: ['p1', 'p2'] };
      yield { profileIds: ['p3'] };
      yield { profileIds: ['p4', 'p5'] };
    });

    const chunks: string[][] = [];
    for await (const response of client.listMembers({ audienceId: 'a1' })) {
      chunks.push(response.profileIds);
    }

    expect(chunks).toEqual([['p1', 'p2'], ['p3'], ['p4', 'p5']]);
  });

  it('stops the generator and aborts its signal when the client cancels', async () => {
    let signal: AbortSignal | undefined;
    let finished!: () => void;
    const generatorStopped = new Promise<void>((resolve) => (finished = resolve));
    const client = await serveAudience(async function* (_request, call) {
      signal = call.signal;
      try {
        for (let i = 0; ; i++) {
          yield { profileIds: [`p${i}`] };
          await sleep(5, undefined, { signal: call.signal });
        }
      } finally {
        finished();
      }
    });

    for await (const response of client.listMembers({ audienceId: 'a1' })) {
      if (response.profileIds[0] === 'p2') break;
    }
    await generatorStopped;

    expect(signal?.aborted).toBe(true);
  });

  it('ends with the mapped status after the chunks sent before the error', async () => {
    const client = await serveAudience(async function* () {
      yield { profileIds: ['p1'] };
      throw new NotFoundError('audience', 'a1');
    });

    const received: string[] = [];
    const err = await rejectionOf(
      (async () => {
        for await (const response of client.listMembers({})) received.push(...response.profileIds);
      })(),
    );

    expect(received).toEqual(['p1']);
    expect(err.code).toBe(Status.NOT_FOUND);
  });

  it('stops pulling from the generator while the client is not reading', async () => {
    const total = 200;
    let produced = 0;
    const bigId = 'x'.repeat(256 * 1024);
    const client = await serveAudience(async function* () {
      for (; produced < total;) {
        produced++;
        yield { profileIds: [bigId] };
      }
    });

    const iterator = client.listMembers({})[Symbol.asyncIterator]();
    await iterator.next();
    await sleep(200);
    const producedWhilePaused = produced;
    let received = 1;
    while (!(await iterator.next()).done) received++;

    expect(producedWhilePaused).toBeLessThan(total);
    expect(received).toBe(total);
  });
});
