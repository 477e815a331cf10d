import { resolve } from 'node:path';
import { serverTlsFromEnv } from '@pulse/grpc';
import type { ServerTlsFiles } from '@pulse/grpc';
import { LOG_LEVELS } from '@pulse/logging';
import { natsSecurityFromEnv } from '@pulse/nats';
import type { NatsSecurityOptions } from '@pulse/nats';
import { z } from 'zod';
import { CLOCK_MODES } from './clock.js';

const DAY_MS = 86_400_000;

const envSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  PULSE_DATA_DIR: z.string().min(1).default('.pulse-data/engine'),
  PULSE_DEFINITIONS_DIR: z.string().min(1).default('deploy/definitions/retail'),
  PULSE_GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  PULSE_GRPC_PORT: z.coerce.number().int().min(0).max(65_535).default(50051),
  PULSE_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  PULSE_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  PULSE_CONSUMER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only')
    .default('pulse-engine'),
  PULSE_CLOCK: z.enum(CLOCK_MODES).default('wall'),
  PULSE_BATCH_MAX: z.coerce.number().int().min(1).max(50_000).default(1_000),
  PULSE_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(1_000).default(5),
  PULSE_BATCH_BUDGET_MS: z.coerce.number().int().min(0).max(10_000).default(20),
  PULSE_DEDUPE_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(7 * DAY_MS),
  PULSE_DUPLICATE_WINDOW_MS: z.coerce.number().int().min(1_000).default(900_000),
  PULSE_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  PULSE_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  PULSE_NOW_RULE_RECHECK_MS: z.coerce.number().int().min(1_000).default(3_600_000),
  PULSE_AUDIENCE_STORE: z.enum(['file', 'kv']).default('file'),
  PULSE_PARTITIONS: z.coerce.number().int().min(1).max(4_096).default(1),
  PULSE_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(10_000),
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

/** Every environment variable the engine reads, in schema order. */
export const ENGINE_ENV_VARIABLES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

/** The engine's settings, read once from the environment, defaulted and frozen. */
export interface ResolvedEngineConfig {
  natsUrl: string;
  /** LMDB environment directory. */
  dataDir: string;
  /** Folder with features.yaml, audiences.yaml and offers.yaml. */
  definitionsDir: string;
  grpcHost: string;
  /** 0 picks a free port. */
  grpcPort: number;
  metricsHost: string;
  /** Port of `/metrics`, `/healthz`, `/readyz`; 0 picks a free port. */
  metricsPort: number;
  /** The durable JetStream consumer this engine owns; one engine per name. */
  consumerName: string;
  clock: (typeof CLOCK_MODES)[number];
  batchMax: number;
  /** How long a small batch waits for more events before it is applied. */
  batchWaitMs: number;
  /** Apply time a batch aims for (batches shrink to keep to it); 0: always up to batchMax. */
  batchBudgetMs: number;
  dedupeRetentionMs: number;
  duplicateWindowMs: number;
  /** Copies JetStream keeps of each Pulse stream (3 in a three-node NATS cluster). */
  streamReplicas: number;
  /**
   * Grace for calls in flight at SIGTERM; the whole stop is bounded by twice
   * this plus one second, after which the process exits 1.
   */
  shutdownGraceMs: number;
  /** Re-evaluation period of audience rules that read `now` directly. */
  nowRuleRecheckMs: number;
  /**
   * Where audience definitions come from: `file` (audiences.yaml, for one
   * machine) or `kv` (the PULSE_AUDIENCES bucket, seeded from the file when
   * empty, changed through AudienceAdminService, watched by every engine).
   */
  audienceStore: 'file' | 'kv';
  /**
   * Partitions of the installation, set once (the first engine records it in
   * NATS KV). 1: every engine keeps every profile. More: each engine owns
   * some partitions through leases and forwards calls for the others.
   */
  partitions: number;
  /** How long a partition lease lasts without renewal: the failover time. */
  leaseMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /**
   * The API keys file (SHA-256 digests and scopes), read at start; undefined
   * turns access control off (local development only).
   */
  apiKeysFile: string | undefined;
  /** TLS of the gRPC server; undefined serves plaintext. */
  tls: ServerTlsFiles | undefined;
  /** NATS credentials file and TLS. */
  nats: NatsSecurityOptions;
}

/** Thrown when an environment variable has a value the engine cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the engine's config from `env`; throws ConfigError naming the variable. */
export function resolveEngineConfig(env: NodeJS.ProcessEnv = process.env): ResolvedEngineConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  let security: Pick<ResolvedEngineConfig, 'tls' | 'nats'>;
  try {
    security = { tls: serverTlsFromEnv(e), nats: natsSecurityFromEnv(e) };
  } catch (err) {
    throw new ConfigError((err as Error).message, { cause: err });
  }
  return Object.freeze({
    natsUrl: e.NATS_URL,
    dataDir: resolve(e.PULSE_DATA_DIR),
    definitionsDir: resolve(e.PULSE_DEFINITIONS_DIR),
    grpcHost: e.PULSE_GRPC_HOST,
    grpcPort: e.PULSE_GRPC_PORT,
    metricsHost: e.PULSE_METRICS_HOST,
    metricsPort: e.PULSE_METRICS_PORT,
    consumerName: e.PULSE_CONSUMER_NAME,
    clock: e.PULSE_CLOCK,
    batchMax: e.PULSE_BATCH_MAX,
    batchWaitMs: e.PULSE_BATCH_WAIT_MS,
    batchBudgetMs: e.PULSE_BATCH_BUDGET_MS,
    dedupeRetentionMs: e.PULSE_DEDUPE_RETENTION_MS,
    duplicateWindowMs: e.PULSE_DUPLICATE_WINDOW_MS,
    streamReplicas: e.PULSE_STREAM_REPLICAS,
    shutdownGraceMs: e.PULSE_SHUTDOWN_GRACE_MS,
    nowRuleRecheckMs: e.PULSE_NOW_RULE_RECHECK_MS,
    audienceStore: e.PULSE_AUDIENCE_STORE,
    partitions: e.PULSE_PARTITIONS,
    leaseMs: e.PULSE_LEASE_MS,
    logLevel: e.LOG_LEVEL,
    apiKeysFile: e.PULSE_API_KEYS_FILE === '' ? undefined : resolve(e.PULSE_API_KEYS_FILE),
    ...security,
  });
}
