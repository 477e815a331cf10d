import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createClient, natsConnectOptions } from '../client-security.js';
import { AudienceService } from '@pulse/proto';

import { formatStatus } from '../print.js';

/** Options of `pulse status`. */
export interface StatusOptions {
  natsUrl: string;
  engine: string;
  engineMetrics: string;
  json?: boolean;
}

/** What `pulse status` reports; a part that could not be read has `error` instead. */
export interface Status {
  streams: { name: string; messages: number; bytes: number; lastSeq: number }[];
  consumers: { stream: string; name: string; pending: number; ackPending: number }[];
  profiles: number | undefined;
  audiences: { audienceId: string; size: number }[];
  errors: string[];
}

const TIMEOUT_MS = 5_000;

/**
 * `pulse status`: JetStream streams with message counts, their consumers with
 * lag (messages not yet delivered) and unacknowledged messages, and from the
 * engine the profile count (its metrics) and audience sizes (gRPC). Prints
 * what it could read; fails (exit 1) when any part could not be read.
 */
export async function runStatus(options: StatusOptions): Promise<void> {
  const status: Status = {
    streams: [],
    consumers: [],
    profiles: undefined,
    audiences: [],
    errors: [],
  };
  const attempt = async (part: string, read: () => Promise<void>) => {
    try {
      await read();
    } catch (err) {
      status.errors.push(`${part}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  await attempt('nats', () => readStreams(options.natsUrl, status));
  await attempt(`engine metrics at ${options.engineMetrics} (--engine-metrics)`, async () => {
    status.profiles = await readProfileCount(options.engineMetrics);
  });
  await attempt('engine gRPC', () => readAudiences(options.engine, status));

  const text = options.json ? JSON.stringify(status) : formatStatus(status);
  process.stdout.write(`${text}\n`);
  if (status.errors.length > 0) process.exitCode = 1;
}

async function readStreams(natsUrl: string, status: Status): Promise<void> {
  const nc = await connect({ servers: natsUrl, timeout: TIMEOUT_MS, ...natsConnectOptions() });
  try {
    const jsm = await jetstreamManager(nc, { timeout: TIMEOUT_MS });
    for await (const info of jsm.streams.list()) {
      const { state, config } = info;
      status.streams.push({
        name: config.name,
        messages: state.messages,
        bytes: state.bytes,
        lastSeq: state.last_seq,
      });
      await readConsumers(jsm, config.name, status);
    }
  } finally {
    await nc.close();
  }
}

async function readConsumers(jsm: JetStreamManager, stream: string, status: Status) {
  for await (const consumer of jsm.consumers.list(stream)) {
    status.consumers.push({
      stream,
      name: consumer.name,
      pending: consumer.num_pending,
      ackPending: consumer.num_ack_pending,
    });
  }
}

/** Reads `pulse_profiles` from the engine's Prometheus text. */
async function readProfileCount(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const line = (await response.text()).split('\n').find((l) => l.startsWith('pulse_profiles '));
  if (!line) throw new Error(`${url} has no pulse_profiles metric`);
  return Number(line.slice('pulse_profiles '.length));
}

async function readAudiences(address: string, status: Status): Promise<void> {
  const client = createClient(AudienceService, address, { deadlineMs: TIMEOUT_MS });
  try {
    const { audiences } = await client.listAudiences({});
    status.audiences = audiences.map((a) => ({ audienceId: a.audienceId, size: Number(a.size) }));
  } finally {
    client.close();
  }
}
