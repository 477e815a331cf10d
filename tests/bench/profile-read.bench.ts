import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PulseStore } from '@pulse/store';
import { createClient } from 'redis';
import { forkBenchChild } from './bench-child.js';
import { buildProfiles, deleteRedis, writeLmdb, writeRedis } from './profile-fixture.js';
import type { RedisClient } from './profile-fixture.js';
import type { ModeFigures, ReadMode, ReadPlan, ReadReport } from './profile-reader.js';
import { createRandom, zipfSampler } from './random.js';
import { formatNumber, row } from './report.js';
import type { BenchResult } from './report.js';

/** Options of {@link runProfileReadBench}. */
export interface ProfileReadBenchOptions {
  /** Customers the orders go to; about this many profiles result. */
  profiles: number;
  /** Measured time of each read mode, split over `rounds` turns. */
  phaseMs: number;
  rounds: number;
  /** Redis server the reference reads from. */
  redisUrl: string;
}

/** Requests in flight in the pipelined Redis mode. */
const PIPELINE_DEPTH = 16;
const READ_ZIPF_EXPONENT = 1;
const READ_IDS = 1 << 20;
const CONNECT_TIMEOUT_MS = 2_000;
const TARGET = { op: '>=', ratio: 10 } as const;

/**
 * Profile read: one whole profile by id, from LMDB (`getProfile`: get and
 * msgpack decode) against Redis HGETALL of the same profile as a hash with
 * every field JSON-decoded. Ids are Zipf-skewed; the modes take turns.
 */
export async function runProfileReadBench(options: ProfileReadBenchOptions): Promise<BenchResult> {
  const name = 'profile read: LMDB getProfile vs Redis HGETALL';
  const client = await connectRedis(options.redisUrl);
  if (!client) {
    const note = `Redis is not reachable at ${options.redisUrl}; profile-read skipped`;
    return { name, workload: [note], rows: [], raw: { skipped: note } };
  }

  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-profile-read-'));
  const keyPrefix = `pulse-bench:${process.pid}-${Date.now().toString(36)}:profile:`;
  let store: PulseStore | undefined = PulseStore.open({ path: dir });
  // Ids of every hash written, for the clean-up even when loading fails midway.
  const written: string[] = [];
  try {
    const loaded = await loadProfiles(options.profiles, store, dir, client, keyPrefix, written);
    await store.close();
    store = undefined;
    const ids = zipfIds(loaded.ids);
    const figures = await runReader({
      lmdbPath: dir,
      redisUrl: options.redisUrl,
      keyPrefix,
      sequence: ids.sequence,
      phaseMs: options.phaseMs,
      rounds: options.rounds,
      pipelineDepth: PIPELINE_DEPTH,
    });
    const perProfile = {
      lmdb: loaded.lmdbBytes / ids.profiles,
      redis: loaded.redisBytes / ids.profiles,
    };
    return summarize(name, options, loaded.description, figures, perProfile);
  } finally {
    await deleteRedis(client, keyPrefix, written);
    await client.quit();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Forks profile-reader.ts, hands it the plan and waits for its figures. */
function runReader(plan: ReadPlan): Promise<Record<ReadMode, ModeFigures>> {
  return new Promise((resolve, reject) => {
    const child = forkBenchChild('profile-reader.ts');
    let settled = false;
    child.once('message', (report: ReadReport) => {
      settled = true;
      if (report.type === 'done') resolve(report.figures);
      else reject(new Error(`profile reader failed: ${report.message}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`profile reader exited with code ${code}`));
    });
    child.send(plan);
  });
}

/** What the measured part keeps of the profiles loaded: their ids, not the records. */
interface LoadedProfiles {
  ids: readonly string[];
  description: string;
  lmdbBytes: number;
  redisBytes: number;
}

/**
 * Builds the profiles and writes them to LMDB and Redis. The records are
 * dropped on return, so the reads are not timed beside a heap holding a
 * million of them (a collector's pauses would land on both sides).
 */
async function loadProfiles(
  count: number,
  store: PulseStore,
  dir: string,
  client: RedisClient,
  keyPrefix: string,
  written: string[],
): Promise<LoadedProfiles> {
  const built = buildProfiles(count);
  writeLmdb(store, built.records);
  const lmdbBytes = statSync(join(dir, 'data.mdb')).size;
  const redisBefore = await usedMemory(client);
  for (const record of built.records) written.push(record.id);
  await writeRedis(client, keyPrefix, built.records);
  const redisBytes = (await usedMemory(client)) - redisBefore;
  return { ids: written, description: built.description, lmdbBytes, redisBytes };
}

/** A connected client, or undefined when no server answers. */
async function connectRedis(url: string): Promise<RedisClient | undefined> {
  const client: RedisClient = createClient({
    url,
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
  });
  // node-redis emits errors besides rejecting; without a listener they would crash the run.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch {
    // A failed connect leaves the client closed already; destroying it again throws.
    if (client.isOpen) client.destroy();
    return undefined;
  }
}

async function usedMemory(client: RedisClient): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** A fixed, Zipf-skewed sequence of ids; rank order is shuffled so hot ids are not neighbours. */
function zipfIds(ids: readonly string[]): { sequence: string[]; profiles: number } {
  const random = createRandom(11);
  const shuffled = [...ids];
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const pick = zipfSampler(shuffled.length, READ_ZIPF_EXPONENT, random);
  const sequence = Array.from({ length: READ_IDS }, () => shuffled[pick() - 1]!);
  return { sequence, profiles: ids.length };
}

function summarize(
  name: string,
  options: ProfileReadBenchOptions,
  description: string,
  figures: Record<ReadMode, ModeFigures>,
  perProfile: { lmdb: number; redis: number },
): BenchResult {
  const perSec = (f: ModeFigures) => (f.reads * 1_000) / f.elapsedMs;
  const us = (ms: number) => `${formatNumber(ms * 1_000)} us`;
  const line = (mode: string, f: ModeFigures) => [
    mode,
    formatNumber(f.reads),
    `${formatNumber(perSec(f))}/s`,
    us(f.latency.p50Ms),
    us(f.latency.p99Ms),
  ];
  const ours = perSec(figures.lmdb);
  return {
    name,
    workload: [
      description,
      `reads: one whole profile by Zipf-skewed id (s=${READ_ZIPF_EXPONENT}), ` +
        `${options.phaseMs} ms per mode in ${options.rounds} turns, in a Node process of ` +
        'their own started once both stores were loaded',
      'ours: PulseStore.getProfile (LMDB get + msgpack decode), synchronous, one caller',
      `reference: Redis HGETALL profile:<id> at ${options.redisUrl}, every field JSON.parse'd; ` +
        `primary ratio vs one awaited client, second line vs ${PIPELINE_DEPTH} in flight`,
    ],
    rows: [
      row('profile reads, vs Redis 1 client', 'reads/s', ours, perSec(figures.redis), TARGET),
      row(
        `profile reads, vs Redis ${PIPELINE_DEPTH} in flight`,
        'reads/s',
        ours,
        perSec(figures['redis-pipelined']),
        TARGET,
      ),
    ],
    details: {
      headers: ['mode', 'reads', 'reads/s', 'p50', 'p99'],
      rows: [
        line('LMDB getProfile', figures.lmdb),
        line('Redis HGETALL, 1 client', figures.redis),
        line(`Redis HGETALL, ${PIPELINE_DEPTH} in flight`, figures['redis-pipelined']),
      ],
    },
    notes: [
      `LMDB ${formatNumber(perProfile.lmdb)} bytes/profile (data.mdb size / profiles); ` +
        `Redis ${formatNumber(perProfile.redis)} bytes/profile (used_memory growth / profiles)`,
    ],
    raw: {
      lmdbBytesPerProfile: perProfile.lmdb,
      redisBytesPerProfile: perProfile.redis,
      readsPerSec: {
        lmdb: perSec(figures.lmdb),
        redis: perSec(figures.redis),
        redisPipelined: perSec(figures['redis-pipelined']),
      },
      latency: {
        lmdb: figures.lmdb.latency,
        redis: figures.redis.latency,
        'redis-pipelined': figures['redis-pipelined'].latency,
      },
    },
  };
}
