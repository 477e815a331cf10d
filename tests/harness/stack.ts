import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { resolveCollectorConfig, startCollector } from '@pulse/collector';
import type { Collector } from '@pulse/collector';
import { resolveEngineConfig, startEngine } from '@pulse/engine';
import type { Engine } from '@pulse/engine';
import { createClient } from '@pulse/grpc';
import type { ServiceClient } from '@pulse/grpc';
import { silentLogger } from '@pulse/logging';
import { STREAMS } from '@pulse/nats';
import { AudienceService, DecisionService, IngestService, ProfileService } from '@pulse/proto';
import { afterAll, beforeAll } from 'vitest';
import { REPO_ROOT, setup, waitFor } from './index.js';
import type { TestEnv } from './index.js';

/** The retail definitions shipped in deploy/. */
export const RETAIL_DEFINITIONS = join(REPO_ROOT, 'deploy/definitions/retail');

/** Deadline of the stack's clients: generous, since tests share two busy cores. */
export const TEST_DEADLINE_MS = 30_000;

/** An engine and a collector in this process, with clients for their APIs. */
export interface Stack {
  engine: Engine;
  collector: Collector;
  nc: NatsConnection;
  profiles: ServiceClient<typeof ProfileService>;
  audiences: ServiceClient<typeof AudienceService>;
  decisions: ServiceClient<typeof DecisionService>;
  ingest: ServiceClient<typeof IngestService>;
  /** Resolves once the engine applied everything the raw stream holds. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/** Extra engine environment, e.g. `{ PULSE_CLOCK: 'event' }`. */
export type EngineEnv = Record<string, string>;

/** The engine's environment for a test: isolated NATS, LMDB in the temp dir. */
export function engineEnv(env: TestEnv, extra: EngineEnv = {}): Record<string, string> {
  return {
    NATS_URL: env.nats.url,
    PULSE_DATA_DIR: join(env.dir, 'engine'),
    PULSE_DEFINITIONS_DIR: RETAIL_DEFINITIONS,
    PULSE_GRPC_PORT: '0',
    PULSE_METRICS_PORT: '0',
    ...extra,
  };
}

/** Starts an engine and a collector against the test's nats-server. */
export async function startStack(env: TestEnv, extra: EngineEnv = {}): Promise<Stack> {
  const logger = silentLogger();
  const engine = await startEngine(resolveEngineConfig(engineEnv(env, extra)), logger);
  const collector = await startCollector(
    resolveCollectorConfig({
      NATS_URL: env.nats.url,
      PULSE_COLLECTOR_GRPC_PORT: '0',
      PULSE_COLLECTOR_METRICS_PORT: '0',
      ...(extra.PULSE_DUPLICATE_WINDOW_MS
        ? { PULSE_DUPLICATE_WINDOW_MS: extra.PULSE_DUPLICATE_WINDOW_MS }
        : {}),
      ...httpIntakeEnv(extra),
    }),
    logger,
  );
  const nc = await connect({ servers: env.nats.url });
  const engineAddress = `127.0.0.1:${engine.grpcPort}`;
  const options = { deadlineMs: TEST_DEADLINE_MS };
  const stack: Stack = {
    engine,
    collector,
    nc,
    profiles: createClient(ProfileService, engineAddress, options),
    audiences: createClient(AudienceService, engineAddress, options),
    decisions: createClient(DecisionService, engineAddress, options),
    ingest: createClient(IngestService, `127.0.0.1:${collector.grpcPort}`, options),
    caughtUp: () => caughtUp(nc, () => engine.appliedSequence()),
    async stop() {
      for (const client of [stack.profiles, stack.audiences, stack.decisions, stack.ingest]) {
        client.close();
      }
      await nc.close();
      await collector.stop();
      await engine.stop();
    },
  };
  return stack;
}

/** The HTTP intake's and access control's settings in `extra`, passed on to the collector. */
function httpIntakeEnv(extra: EngineEnv): Record<string, string> {
  const keys = [
    'PULSE_WRITE_KEYS',
    'PULSE_COLLECTOR_HTTP_HOST',
    'PULSE_COLLECTOR_HTTP_PORT',
    'PULSE_API_KEYS_FILE',
  ];
  return Object.fromEntries(keys.flatMap((key) => (extra[key] ? [[key, extra[key]]] : [])));
}

/** Waits until `appliedSeq()` reaches the raw stream's last sequence. */
export async function caughtUp(nc: NatsConnection, appliedSeq: () => number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const lastSeq = (await jsm.streams.info(STREAMS.raw)).state.last_seq;
  await waitFor(() => (appliedSeq() >= lastSeq ? true : undefined), 60_000);
}

/** Sends Segment calls as one NATS request and returns the collector's report. */
export async function sendCalls(
  nc: NatsConnection,
  calls: unknown[],
  source = 'test',
): Promise<{
  accepted: number;
  duplicates: number;
  rejected: number;
  results: { index: number; messageId: string; outcome: number; reason: string; field: string }[];
  error?: { field: string; reason: string };
}> {
  const reply = await nc.request(`pulse.ingest.${source}`, JSON.stringify({ batch: calls }), {
    timeout: 10_000,
  });
  return reply.json();
}

/** What {@link useStack} fills in before the suite's tests run. */
export interface StackFixture {
  env: TestEnv;
  stack: Stack;
}

/**
 * Registers a suite-wide stack: an isolated nats-server and temp dir, an
 * engine and a collector started before the tests and stopped after them.
 */
export function useStack(extra: EngineEnv = {}): StackFixture {
  const fixture = {} as StackFixture;
  beforeAll(async () => {
    fixture.env = await setup();
    fixture.stack = await startStack(fixture.env, extra);
  });
  afterAll(async () => {
    await fixture.stack?.stop();
    await fixture.env?.cleanup();
  });
  return fixture;
}
