import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { Client, credentials, status as Status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { AudienceService, DiagnosticsService } from '@pulse/proto';
import { afterEach, describe, expect, it } from 'vitest';

import { PULSE_PROTO_DIR, bindService, createGrpcServer } from '../src/index.js';
import { Cleanup, captureLogger, startServer } from './harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const { logger } = captureLogger();
const diagnostics = bindService(DiagnosticsService, { ping: async () => ({}) }, { logger });

function rawClient(address: string): Client {
  const client = new Client(address, credentials.createInsecure());
  cleanup.add(() => client.close());
  return client;
}

function checkHealth(client: Client, service: string): Promise<unknown> {
  const check = healthService.Check!;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      check.path,
      check.requestSerialize,
      check.responseDeserialize,
      { service },
      (err, response) => (err ? reject(err) : resolve((response as { status: string }).status)),
    );
  });
}

/** Asks the v1 reflection service for its service list. */
async function listServices(client: Client): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const root = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');
  const definition = loadSync('grpc/reflection/v1/reflection.proto', {
    includeDirs: [root],
    keepCase: true,
  });
  const service = definition['grpc.reflection.v1.ServerReflection'] as ServiceDefinition;
  const info = service.ServerReflectionInfo!;
  const call = client.makeBidiStreamRequest(
    info.path,
    info.requestSerialize,
    info.responseDeserialize,
  );
  call.write({ list_services: '*' });
  call.end();
  // Reading to the end lets the call finish before the server shuts down.
  const [response] = (await call.toArray()) as {
    list_services_response: { service: { name: string }[] };
  }[];
  return response!.list_services_response.service.map((service) => service.name);
}

describe('createGrpcServer', () => {
  it('reports SERVING, then NOT_SERVING after setServing(false)', async () => {
    const server = cleanup.server(await startServer([diagnostics]));
    const client = rawClient(server.address);

    expect(await checkHealth(client, '')).toBe('SERVING');
    expect(await checkHealth(client, 'pulse.v1.DiagnosticsService')).toBe('SERVING');
    server.health.setServing(false);

    expect(await checkHealth(client, '')).toBe('NOT_SERVING');
    expect(await checkHealth(client, 'pulse.v1.DiagnosticsService')).toBe('NOT_SERVING');
  });

  it('lists the bound services through reflection', async () => {
    const reflection = { protoDir: PULSE_PROTO_DIR, files: ['pulse/v1/diagnostics.proto'] };
    const server = cleanup.server(await startServer([diagnostics], { reflection }));

    const names = await listServices(rawClient(server.address));

    expect(names).toContain('pulse.v1.DiagnosticsService');
    expect(names).toContain('grpc.health.v1.Health');
  });

  it('cuts a call still open after the shutdown grace period', async () => {
    const handlers = {
      check: async () => ({}),
      batchCheck: async () => ({}),
      listAudiences: async () => ({}),
      async *listMembers(_request: unknown, call: { signal: AbortSignal }) {
        yield { profileIds: ['p1'] };
        await new Promise((resolve) => call.signal.addEventListener('abort', resolve));
      },
    };
    const bound = bindService(AudienceService, handlers, { logger });
    const { logger: serverLogger, lines } = captureLogger();
    const server = await startServer([bound], { logger: serverLogger });
    const client = cleanup.client(AudienceService, server.address);
    const iterator = client.listMembers({})[Symbol.asyncIterator]();
    await iterator.next();

    await server.shutdown(100);

    await expect(iterator.next()).rejects.toMatchObject({ code: Status.CANCELLED });
    expect(lines.find((line) => line.msg === 'grpc server stopped')).toMatchObject({
      forced: true,
    });
  });

  it('shuts down once however often it is asked, including by asyncDispose', async () => {
    const { logger: serverLogger, lines } = captureLogger();
    const server = await startServer([diagnostics], { logger: serverLogger });

    await Promise.all([server.shutdown(), server.shutdown(), server[Symbol.asyncDispose]()]);

    expect(lines.filter((line) => line.msg === 'grpc server stopped')).toHaveLength(1);
  });

  it.each([-1, 1.5, 70_000])('rejects port %s with a TypeError', async (port) => {
    await expect(createGrpcServer({ logger, port, services: [] })).rejects.toThrow(TypeError);
  });

  it('rejects with the address when the port is taken', async () => {
    const first = cleanup.server(await startServer([diagnostics]));

    const taken = startServer([diagnostics], { port: first.port });

    await expect(taken).rejects.toThrow(`127.0.0.1:${first.port}`);
  });
});
