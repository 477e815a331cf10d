import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS, SUBJECTS } from './subjects.js';

/** Retention and replication of Pulse's streams. */
export interface StreamOptions {
  /**
   * How long JetStream remembers a message id to drop a re-send. The engine
   * keeps its own, longer dedupe index in LMDB behind this.
   * @default 900_000 (15 minutes)
   */
  duplicateWindowMs?: number;
  /**
   * How long events stay in the raw stream, for replay and rebuilds.
   * @default 7 days
   */
  rawMaxAgeMs?: number;
  /** @default 30 days */
  deadLetterMaxAgeMs?: number;
  /** How long audience transitions stay for followers. @default 30 days */
  audienceMaxAgeMs?: number;
  /** How long profile merges and deletions stay for followers. @default 30 days */
  profileMaxAgeMs?: number;
  /** Stream replicas in a cluster. @default 1 */
  replicas?: number;
}

const MS = 1_000_000;
const DAY_MS = 86_400_000;

/** Creates Pulse's streams, or updates them to the given limits. */
export async function ensureStreams(
  nc: NatsConnection,
  options: StreamOptions = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const replicas = options.replicas ?? 1;
  const raw: Partial<StreamConfig> & { name: string } = {
    name: STREAMS.raw,
    subjects: [`${SUBJECTS.raw}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: (options.duplicateWindowMs ?? 900_000) * MS,
    max_age: (options.rawMaxAgeMs ?? 7 * DAY_MS) * MS,
    num_replicas: replicas,
  };
  const deadLetter: Partial<StreamConfig> & { name: string } = {
    name: STREAMS.deadLetter,
    subjects: [`${SUBJECTS.deadLetter}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: (options.deadLetterMaxAgeMs ?? 30 * DAY_MS) * MS,
    num_replicas: replicas,
  };
  const audience: Partial<StreamConfig> & { name: string } = {
    name: STREAMS.audience,
    subjects: [`${SUBJECTS.audience}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: (options.duplicateWindowMs ?? 900_000) * MS,
    max_age: (options.audienceMaxAgeMs ?? 30 * DAY_MS) * MS,
    num_replicas: replicas,
  };
  const profile: Partial<StreamConfig> & { name: string } = {
    name: STREAMS.profile,
    subjects: [`${SUBJECTS.profile}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: (options.duplicateWindowMs ?? 900_000) * MS,
    max_age: (options.profileMaxAgeMs ?? 30 * DAY_MS) * MS,
    num_replicas: replicas,
  };
  for (const config of [raw, deadLetter, audience, profile]) {
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(config);
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}
