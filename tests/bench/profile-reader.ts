/**
 * The profile-read benchmark's reader: a child process (forked by
 * profile-read.bench.ts) that opens the finished LMDB and Redis and times the
 * reads, so they do not run beside the heap that built the profiles.
 */
import { performance } from 'node:perf_hooks';
import { PulseStore } from '@pulse/store';
import { createClient } from 'redis';
import { requireBenchParent } from './bench-child.js';
import { LatencyRecorder } from './latency-recorder.js';
import type { LatencySummary } from './latency-recorder.js';
import { fromRedisHash } from './profile-fixture.js';
import type { RedisClient } from './profile-fixture.js';

/** How a read mode is timed: LMDB, Redis one awaited call at a time, Redis pipelined. */
export type ReadMode = 'lmdb' | 'redis' | 'redis-pipelined';

/** What the runner hands the reader. */
export interface ReadPlan {
  lmdbPath: string;
  redisUrl: string;
  keyPrefix: string;
  /** Ids to read in turn, wrapping around; the length is a power of two. */
  sequence: string[];
  /** Measured time of each mode, split over `rounds` turns. */
  phaseMs: number;
  rounds: number;
  pipelineDepth: number;
}

/** One mode's figures. */
export interface ModeFigures {
  reads: number;
  elapsedMs: number;
  latency: LatencySummary;
}

/** What the reader answers. */
export type ReadReport =
  { type: 'done'; figures: Record<ReadMode, ModeFigures> } | { type: 'failed'; message: string };

const MODES: readonly ReadMode[] = ['lmdb', 'redis', 'redis-pipelined'];

interface Tally {
  reads: number;
  elapsedMs: number;
  latency: LatencyRecorder;
}

const newTally = (): Tally => ({ reads: 0, elapsedMs: 0, latency: new LatencyRecorder() });

async function measure(plan: ReadPlan): Promise<Record<ReadMode, ModeFigures>> {
  const store = PulseStore.open({ path: plan.lmdbPath });
  const client: RedisClient = createClient({ url: plan.redisUrl });
  await client.connect();
  try {
    const tallies = { lmdb: newTally(), redis: newTally(), 'redis-pipelined': newTally() };
    const mask = plan.sequence.length - 1;
    let next = 0;
    const nextId = () => plan.sequence[next++ & mask]!;
    const readRedis = async (tally: Tally) => {
      const start = performance.now();
      const key = `${plan.keyPrefix}${nextId()}`;
      const hash = (await client.hGetAll(key)) as Record<string, string>;
      if (fromRedisHash(hash).id === '') throw new Error(`profile read: empty Redis hash ${key}`);
      tally.latency.record(performance.now() - start);
      tally.reads += 1;
    };
    const sliceMs = plan.phaseMs / plan.rounds;
    // A short unrecorded turn of each first, so JIT and connection warm-up stay out.
    for (let round = -1; round < plan.rounds; round += 1) {
      const recorded = round >= 0;
      const ms = recorded ? sliceMs : Math.min(300, sliceMs);
      for (const mode of MODES) {
        const tally = recorded ? tallies[mode] : newTally();
        const started = performance.now();
        const until = started + ms;
        if (mode === 'lmdb') {
          while (performance.now() < until) {
            const start = performance.now();
            if (!store.getProfile(nextId())) throw new Error('profile read: missing LMDB profile');
            tally.latency.record(performance.now() - start);
            tally.reads += 1;
          }
        } else {
          const depth = mode === 'redis' ? 1 : plan.pipelineDepth;
          const worker = async () => {
            while (performance.now() < until) await readRedis(tally);
          };
          await Promise.all(Array.from({ length: depth }, worker));
        }
        tally.elapsedMs += performance.now() - started;
      }
    }
    const figures = (tally: Tally): ModeFigures => ({
      reads: tally.reads,
      elapsedMs: tally.elapsedMs,
      latency: tally.latency.summary(),
    });
    return Object.fromEntries(MODES.map((mode) => [mode, figures(tallies[mode])])) as Record<
      ReadMode,
      ModeFigures
    >;
  } finally {
    await client.quit();
    await store.close();
  }
}

requireBenchParent('profile-reader.ts', 'profile-read.bench.ts');
process.once('message', (plan: ReadPlan) => {
  const report = (message: ReadReport) => process.send?.(message, () => process.disconnect());
  measure(plan).then(
    (figures) => report({ type: 'done', figures }),
    (err: unknown) =>
      report({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
});
