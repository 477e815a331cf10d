import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ServingStatusMap } from 'grpc-health-check';
import type { Logger } from 'pino';

import type { BoundService } from './bind-service.js';
import { DEFAULT_MAX_MESSAGE_BYTES, serverChannelOptions } from './channel-options.js';
import { addReflection } from './server-reflection.js';
import type { ReflectionOptions } from './server-reflection.js';

/** Grace given to in-flight calls by `Symbol.asyncDispose`, in milliseconds. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

const DEFAULT_HOST = '0.0.0.0';

const MAX_PORT = 65_535;

/** Options for `createGrpcServer`. */
export interface GrpcServerOptions {
  /** Parent logger; the server logs through a `component: 'grpc'` child. */
  logger: Logger;
  /** Interface to listen on. @default '0.0.0.0' */
  host?: string;
  /** TCP port; 0 picks an ephemeral one, reported back as `GrpcServer.port`. */
  port: number;
  /** Services from `bindService`; each gets its own health entry. */
  services: BoundService[];
  /** Proto sources for server reflection, or `false` for none. @default false */
  reflection?: ReflectionOptions | false;
  /** Largest request (and response) message, in bytes. @default 4 MiB */
  maxReceiveMessageBytes?: number;
  /** @default insecure (plaintext h2c) */
  credentials?: ServerCredentials;
}

/** Switches every health entry of a server at once. */
export interface HealthControl {
  /** SERVING when `ok`, else NOT_SERVING, for each service and for ''. */
  setServing(ok: boolean): void;
}

/** A bound, listening gRPC server. */
export interface GrpcServer extends AsyncDisposable {
  /** The port actually bound; differs from the option when that was 0. */
  readonly port: number;
  readonly server: Server;
  readonly health: HealthControl;
  /**
   * Marks health NOT_SERVING, stops intake and lets calls finish; calls still
   * open after `graceMs` are cut. Idempotent.
   */
  shutdown(graceMs?: number): Promise<void>;
}

interface ResolvedGrpcServerOptions {
  logger: Logger;
  host: string;
  port: number;
  services: readonly BoundService[];
  reflection: ReflectionOptions | false;
  maxReceiveMessageBytes: number;
  credentials: ServerCredentials;
}

/**
 * Builds a grpc-js server with the given services, standard health and
 * optional reflection, binds it and resolves once it listens.
 */
export async function createGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const resolved = resolveOptions(options);
  const log = resolved.logger.child({ component: 'grpc' });
  const server = new Server(serverChannelOptions(resolved.maxReceiveMessageBytes));
  const names = resolved.services.map((service) => service.name);

  for (const service of resolved.services) {
    server.addService(service.definition, service.implementation);
  }
  const health = new HealthImplementation(healthStatuses(names, 'SERVING'));
  health.addToServer(server);
  if (resolved.reflection) await addReflection(server, resolved.reflection, names);

  const port = await bind(server, resolved);
  log.info({ host: resolved.host, port, services: names }, 'grpc server listening');
  return new GrpcServerImpl(server, port, healthControl(health, names), log);
}

class GrpcServerImpl implements GrpcServer {
  /** Set by the first `shutdown`; later calls share it. */
  #stopping: Promise<void> | undefined;

  constructor(
    readonly server: Server,
    readonly port: number,
    readonly health: HealthControl,
    private readonly log: Logger,
  ) {}

  shutdown(graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    this.#stopping ??= this.#stop(graceMs);
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #stop(graceMs: number): Promise<void> {
    this.log.info({ graceMs }, 'grpc server stopping');
    this.health.setServing(false);
    const forced = await shutdownWithin(this.server, graceMs);
    this.log.info({ forced }, 'grpc server stopped');
  }
}

function resolveOptions(options: GrpcServerOptions): ResolvedGrpcServerOptions {
  const maxBytes = options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const { port } = options;
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new TypeError(`'port' must be an integer from 0 to ${MAX_PORT}, got ${port}`);
  }
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw new TypeError(`'maxReceiveMessageBytes' must be a positive integer, got ${maxBytes}`);
  }
  return Object.freeze({
    logger: options.logger,
    host: options.host ?? DEFAULT_HOST,
    port,
    services: Object.freeze([...options.services]),
    reflection: options.reflection ?? false,
    maxReceiveMessageBytes: maxBytes,
    credentials: options.credentials ?? ServerCredentials.createInsecure(),
  });
}

function bind(server: Server, options: ResolvedGrpcServerOptions): Promise<number> {
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const address = `${host}:${options.port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, options.credentials, (err, port) => {
      if (!err) return resolve(port);
      server.forceShutdown();
      reject(new Error(`cannot bind gRPC server to ${address}`, { cause: err }));
    });
  });
}

/** Resolves `true` when calls had to be cut after the grace period. */
function shutdownWithin(server: Server, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve(true);
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

function healthControl(health: HealthImplementation, names: readonly string[]): HealthControl {
  return {
    setServing(ok) {
      const statuses = healthStatuses(names, ok ? 'SERVING' : 'NOT_SERVING');
      for (const [name, status] of Object.entries(statuses)) {
        health.setStatus(name, status);
      }
    },
  };
}

function healthStatuses(
  names: readonly string[],
  status: ServingStatusMap[string],
): ServingStatusMap {
  const statuses: ServingStatusMap = { '': status };
  for (const name of names) statuses[name] = status;
  return statuses;
}
