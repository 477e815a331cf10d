import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** PEM files for a TLS connection to NATS. */
export interface NatsTlsFiles {
  /** CA bundle the server's certificate must chain to. @default the system roots */
  caFile?: string;
  /** Client certificate, for a server that verifies clients. */
  certFile?: string;
  /** The client certificate's private key. */
  keyFile?: string;
}

/** How a service proves itself to NATS and protects the connection. */
export interface NatsSecurityOptions {
  /** A `.creds` file (user JWT and nkey seed) from `nsc` or the operator. @default none */
  credsFile?: string;
  /** TLS for the connection; unset keeps whatever the URL asks for. @default none */
  tls?: NatsTlsFiles;
}

/** How often the client pings the server to find out the connection is dead. */
const PING_INTERVAL_MS = 30_000;

/** Options for {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Comma-separated server URLs. */
  servers: string;
  /** Connection name shown by the server's monitoring. */
  name: string;
  logger: Logger;
  /** Credentials and TLS. @default none */
  security?: NatsSecurityOptions;
}

/**
 * Connects to NATS with endless reconnects and logs the connection's
 * lifecycle (disconnect, reconnect) at the level an operator needs.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const log = options.logger.child({ component: 'nats' });
  const nc = await connect({
    servers: options.servers.split(',').map((s) => s.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A silently cut path is noticed after two unanswered pings (about a
    // minute) rather than nats.js's default of two every two minutes.
    pingInterval: PING_INTERVAL_MS,
    maxPingOut: 2,
    // Without this every request (each JetStream publish) builds two Error
    // objects up front for their stack traces: a few % of the engine's CPU.
    noAsyncTraces: true,
    ...securityOptions(options.security),
  });
  log.info({ server: nc.getServer() }, 'nats connected');
  void watchStatus(nc, log);
  return nc;
}

/** Connection options for credentials and TLS; the creds file is read once here. */
export function securityOptions(security: NatsSecurityOptions = {}): Partial<ConnectionOptions> {
  const extra: Partial<ConnectionOptions> = {};
  if (security.credsFile) {
    const creds = readCredentials(security.credsFile);
    extra.authenticator = credsAuthenticator(creds);
  }
  if (security.tls) {
    const { caFile, certFile, keyFile } = security.tls;
    extra.tls = {
      ...(caFile ? { caFile } : {}),
      ...(certFile ? { certFile } : {}),
      ...(keyFile ? { keyFile } : {}),
    };
  }
  return extra;
}

function readCredentials(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TypeError(`NATS credentials file ${file} cannot be read`, { cause: err });
  }
}

async function watchStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') log.warn({ server: status.server }, 'nats disconnected');
    else if (status.type === 'reconnect') log.info({ server: status.server }, 'nats reconnected');
    else if (status.type === 'error') log.error({ err: status.error }, 'nats error');
  }
}

/** The `NATS_*` security variables of a service's environment; empty means unset. */
export interface NatsSecurityEnv {
  NATS_CREDS_FILE: string;
  NATS_TLS_CA_FILE: string;
  NATS_TLS_CERT_FILE: string;
  NATS_TLS_KEY_FILE: string;
}

/**
 * NATS credentials and TLS from the environment. Any TLS file turns TLS on;
 * a client certificate needs its key. Throws TypeError naming the variable.
 */
export function natsSecurityFromEnv(env: NatsSecurityEnv): NatsSecurityOptions {
  const credsFile = env.NATS_CREDS_FILE.trim();
  const caFile = env.NATS_TLS_CA_FILE.trim();
  const certFile = env.NATS_TLS_CERT_FILE.trim();
  const keyFile = env.NATS_TLS_KEY_FILE.trim();
  if ((certFile === '') !== (keyFile === '')) {
    throw new TypeError('NATS_TLS_CERT_FILE: must be set together with NATS_TLS_KEY_FILE');
  }
  const tls =
    caFile || certFile
      ? { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile, keyFile } : {}) }
      : undefined;
  return Object.freeze({ ...(credsFile ? { credsFile } : {}), ...(tls ? { tls } : {}) });
}
