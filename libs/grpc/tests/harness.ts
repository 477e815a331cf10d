import { Writable } from 'node:stream';

import type { DescService } from '@bufbuild/protobuf';
import type { ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import type { Logger } from 'pino';

import { createClient, createGrpcServer } from '../src/index.js';
import type { BoundService, GrpcServer, GrpcServerOptions, ServiceClient } from '../src/index.js';

/** A logger that keeps every line as parsed JSON, for asserting on logs. */
export function captureLogger(level = 'info'): {
  logger: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

/** A server on an ephemeral loopback port; shut it down with `stop`. */
export async function startServer(
  services: BoundService[],
  options: Partial<GrpcServerOptions> = {},
): Promise<GrpcServer & { address: string }> {
  const server = await createGrpcServer({
    logger: options.logger ?? captureLogger().logger,
    host: '127.0.0.1',
    port: 0,
    services,
    ...options,
  });
  return Object.assign(server, { address: `127.0.0.1:${server.port}` });
}

/** Closes every client and server registered, for `afterEach`. */
export class Cleanup {
  #tasks: (() => Promise<void> | void)[] = [];

  add(task: () => Promise<void> | void): void {
    this.#tasks.push(task);
  }

  server<T extends GrpcServer>(server: T): T {
    this.#tasks.push(() => server.shutdown(0));
    return server;
  }

  client<S extends DescService>(service: S, address: string): ServiceClient<S> {
    const client = createClient(service, address);
    this.#tasks.push(() => client.close());
    return client;
  }

  async run(): Promise<void> {
    const tasks = this.#tasks.splice(0).reverse();
    for (const task of tasks) await task();
  }
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected a rejection');
}
