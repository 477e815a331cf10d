import { resolve } from 'node:path';
import { serverTlsFromEnv } from '@pulse/grpc';
import type { ServerTlsFiles } from '@pulse/grpc';
import { LOG_LEVELS } from '@pulse/logging';
import { natsSecurityFromEnv } from '@pulse/nats';
import type { NatsSecurityOptions } from '@pulse/nats';
import { z } from 'zod';
import { parseWriteKeys } from './write-keys.js';
import type { WriteKeys } from './write-keys.js';

const envSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  PULSE_COLLECTOR_GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  PULSE_COLLECTOR_GRPC_PORT: z.coerce.number().int().min(0).max(65_535).default(50052),
  PULSE_COLLECTOR_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  PULSE_COLLECTOR_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8088),
  PULSE_WRITE_KEYS: z.string().default(''),
  PULSE_PHONE_REGION: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^([A-Z]{2})?$/, 'must be a two-letter ISO 3166 region code, like GB')
    .default(''),
  PULSE_COLLECTOR_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  PULSE_COLLECTOR_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9465),
  PULSE_DUPLICATE_WINDOW_MS: z.coerce.number().int().min(1_000).default(900_000),
  PULSE_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  PULSE_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  PULSE_API_KEYS_FILE: z.string().trim().default(''),
  PULSE_TLS_CERT_FILE: z.string().default(''),
  PULSE_TLS_KEY_FILE: z.string().default(''),
  PULSE_TLS_CA_FILE: z.string().default(''),
  NATS_CREDS_FILE: z.string().default(''),
  NATS_TLS_CA_FILE: z.string().default(''),
  NATS_TLS_CERT_FILE: z.string().default(''),
  NATS_TLS_KEY_FILE: z.string().default(''),
});

/** Every environment variable the collector reads, in schema order. */
export const COLLECTOR_ENV_VARIABLES: readonly string[] = Object.freeze(
  Object.keys(envSchema.shape),
);

/** The collector's settings, read once from the environment, defaulted and frozen. */
export interface ResolvedCollectorConfig {
  natsUrl: string;
  grpcHost: string;
  /** 0 picks a free port. */
  grpcPort: number;
  httpHost: string;
  /** 0 picks a free port. */
  httpPort: number;
  /** Write keys of the HTTP intake and their sources; empty turns the intake off. */
  writeKeys: WriteKeys;
  /** Region national phone numbers are read in; empty reads only international ones. */
  phoneRegion: string;
  metricsHost: string;
  /** 0 picks a free port. */
  metricsPort: number;
  /** JetStream's duplicate window on the raw stream. */
  duplicateWindowMs: number;
  /** Copies JetStream keeps of each Pulse stream (3 in a three-node NATS cluster). */
  streamReplicas: number;
  shutdownGraceMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /**
   * The API keys file (SHA-256 digests and scopes), read at start; undefined
   * turns access control off on gRPC (local development only).
   */
  apiKeysFile: string | undefined;
  /** TLS of the gRPC server; undefined serves plaintext. */
  tls: ServerTlsFiles | undefined;
  /** NATS credentials file and TLS. */
  nats: NatsSecurityOptions;
}

/** Reads the collector's config from `env`; throws naming the bad variable. */
export function resolveCollectorConfig(
  env: NodeJS.ProcessEnv = process.env,
): ResolvedCollectorConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  let writeKeys: WriteKeys;
  try {
    writeKeys = parseWriteKeys(e.PULSE_WRITE_KEYS);
  } catch (err) {
    throw new TypeError(`PULSE_WRITE_KEYS: ${(err as Error).message}`, { cause: err });
  }
  const tls = serverTlsFromEnv(e);
  const nats = natsSecurityFromEnv(e);
  return Object.freeze({
    natsUrl: e.NATS_URL,
    grpcHost: e.PULSE_COLLECTOR_GRPC_HOST,
    phoneRegion: e.PULSE_PHONE_REGION,
    grpcPort: e.PULSE_COLLECTOR_GRPC_PORT,
    httpHost: e.PULSE_COLLECTOR_HTTP_HOST,
    httpPort: e.PULSE_COLLECTOR_HTTP_PORT,
    writeKeys,
    metricsHost: e.PULSE_COLLECTOR_METRICS_HOST,
    metricsPort: e.PULSE_COLLECTOR_METRICS_PORT,
    duplicateWindowMs: e.PULSE_DUPLICATE_WINDOW_MS,
    streamReplicas: e.PULSE_STREAM_REPLICAS,
    shutdownGraceMs: e.PULSE_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    apiKeysFile: e.PULSE_API_KEYS_FILE === '' ? undefined : resolve(e.PULSE_API_KEYS_FILE),
    tls,
    nats,
  });
}
