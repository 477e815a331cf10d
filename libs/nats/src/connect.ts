import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** How often the client pings the server to find out the connection is dead. */
const PING_INTERVAL_MS = 30_000;

/** Options for {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Comma-separated server URLs. */
  servers: string;
  /** Connection name shown by the server's monitoring. */
  name: string;
  logger: Logger;
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
  });
  log.info({ server: nc.getServer() }, 'nats connected');
  void watchStatus(nc, log);
  return nc;
}

async function watchStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') log.warn({ server: status.server }, 'nats disconnected');
    else if (status.type === 'reconnect') log.info({ server: status.server }, 'nats reconnected');
    else if (status.type === 'error') log.error({ err: status.error }, 'nats error');
  }
}
