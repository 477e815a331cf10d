import { fromBinary } from '@bufbuild/protobuf';
import { loadDefinitions } from '@pulse/engine';
import { applyEvent, eventTimeMs } from '@pulse/features';
import { EventSchema } from '@pulse/proto';
import { emptyProfile } from '@pulse/store';
import type { PulseStore } from '@pulse/store';
import type { ProfileRecord } from '@pulse/store';
import type { createClient } from 'redis';
import { UCI_FILE } from '../harness/index.js';
import { RETAIL_DEFINITIONS_DIR } from './engine-fixture.js';
import { buildOrderWorkload } from './order-workload.js';

/** A connected node-redis client. */
export type RedisClient = ReturnType<typeof createClient>;

/** Profiles built from orders, and how they were built. */
export interface BuiltProfiles {
  records: ProfileRecord[];
  events: number;
  description: string;
}

/**
 * Customers and orders per profile wanted. Zipf skew leaves many customers
 * without an order, so twice as many are drawn and the first `profiles` to
 * order are kept, with all of their orders.
 */
const CUSTOMERS_PER_PROFILE = 2;
const ORDERS_PER_PROFILE = 4;

/** Profiles per LMDB write transaction, and Redis commands in flight while loading. */
const WRITE_BATCH = 1_000;

/** Field of the Redis hash holding what is neither a trait nor a feature state. */
export const REDIS_META_FIELD = 'meta';

/**
 * Builds `profiles` profiles (fewer only if too few customers order) the way
 * the engine would: UCI-shaped orders from tests/bench/order-workload.ts,
 * traits copied from each event and every retail feature folded in with
 * `applyEvent`.
 */
export function buildProfiles(profiles: number): BuiltProfiles {
  const defs = loadDefinitions(RETAIL_DEFINITIONS_DIR);
  const workload = buildOrderWorkload(UCI_FILE, {
    events: profiles * ORDERS_PER_PROFILE,
    customers: profiles * CUSTOMERS_PER_PROFILE,
    runId: 'profile-read',
  });
  const byUser = new Map<string, ProfileRecord>();
  let events = 0;
  for (let i = 0; i < workload.payloads.length; i += 1) {
    const userId = workload.userIds[i]!;
    let profile = byUser.get(userId);
    if (!profile && byUser.size === profiles) continue;
    const event = fromBinary(EventSchema, workload.payloads[i]!);
    const timeMs = eventTimeMs(event);
    events += 1;
    if (!profile) {
      profile = emptyProfile(`p-${userId}`, timeMs);
      profile.identifiers.push(['user_id', userId]);
      byUser.set(userId, profile);
    }
    for (const [name, value] of Object.entries(event.traits ?? {})) {
      profile.traits[name] = value;
      profile.traitTimesMs[name] = timeMs;
    }
    applyEvent(profile.features as never, defs.features, event);
    profile.lastSeenMs = Math.max(profile.lastSeenMs, timeMs);
  }
  const records = [...byUser.values()];
  const featureCount = defs.features.features.length;
  const description =
    `${records.length.toLocaleString('en')} profiles from the ` +
    `${events.toLocaleString('en')} orders of their customers in ${workload.description}; ` +
    `${featureCount} retail features`;
  return { records, events, description };
}

/** Writes every record with `putProfile`, a thousand to a transaction. */
export function writeLmdb(store: PulseStore, records: readonly ProfileRecord[]): void {
  for (let i = 0; i < records.length; i += WRITE_BATCH) {
    const batch = records.slice(i, i + WRITE_BATCH);
    store.transaction(() => {
      for (const record of batch) store.putProfile(record);
    });
  }
}

/**
 * One hash per profile, as a feature store keeps it: `trait:<name>` and
 * `feature:<id>` fields, plus {@link REDIS_META_FIELD} for the rest, each
 * value JSON-encoded.
 */
export function toRedisHash(record: ProfileRecord): Record<string, string> {
  const { traits, features, ...meta } = record;
  const hash: Record<string, string> = { [REDIS_META_FIELD]: JSON.stringify(meta) };
  for (const [name, value] of Object.entries(traits)) hash[`trait:${name}`] = JSON.stringify(value);
  for (const [id, state] of Object.entries(features)) {
    hash[`feature:${id}`] = JSON.stringify(state);
  }
  return hash;
}

/** Decodes every field of a hash back into the record {@link toRedisHash} stored. */
export function fromRedisHash(hash: Record<string, string>): ProfileRecord {
  const meta = JSON.parse(hash[REDIS_META_FIELD]!) as Omit<ProfileRecord, 'traits' | 'features'>;
  const record: ProfileRecord = { ...meta, traits: {}, features: {} };
  for (const [field, text] of Object.entries(hash)) {
    if (field.startsWith('trait:')) record.traits[field.slice(6)] = JSON.parse(text);
    else if (field.startsWith('feature:')) record.features[field.slice(8)] = JSON.parse(text);
  }
  return record;
}

/** HSETs every record under `keyPrefix`, {@link WRITE_BATCH} commands in flight. */
export async function writeRedis(
  client: RedisClient,
  keyPrefix: string,
  records: readonly ProfileRecord[],
): Promise<void> {
  for (let i = 0; i < records.length; i += WRITE_BATCH) {
    const batch = records.slice(i, i + WRITE_BATCH);
    await Promise.all(batch.map((r) => client.hSet(`${keyPrefix}${r.id}`, toRedisHash(r))));
  }
}

/** Unlinks the hashes {@link writeRedis} wrote for these profile ids. */
export async function deleteRedis(
  client: RedisClient,
  keyPrefix: string,
  ids: readonly string[],
): Promise<void> {
  for (let i = 0; i < ids.length; i += WRITE_BATCH) {
    const keys = ids.slice(i, i + WRITE_BATCH).map((id) => `${keyPrefix}${id}`);
    await client.unlink(keys);
  }
}
