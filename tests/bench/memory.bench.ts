import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@pulse/grpc';
import { freePort } from '@pulse/nats';
import { ProfileService } from '@pulse/proto';
import { setup } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import { prepareStore } from './audience.bench.js';
import { formatNumber, row } from './report.js';
import type { BenchResult } from './report.js';

/** Options of {@link runMemoryBench}. */
export interface MemoryBenchOptions {
  /** Profile counts, smallest first; the first is the reference. */
  profiles: readonly number[];
}

/** Profiles read through GetProfile before measuring, spread over the whole store. */
const READS = 20_000;

interface Measured {
  profiles: number;
  rssBytes: number;
  anonBytes: number;
  lmdbBytes: number;
}

/**
 * Memory as profiles grow: the same engine (a child process) started on
 * stores of N profiles (copies of order-built profiles with their audience
 * index), after GetProfile on profiles spread over all of them. RSS counts
 * LMDB pages the reads mapped, which the kernel can drop; RssAnon is the
 * process's own memory (heap, code), which must not grow with the data.
 */
export async function runMemoryBench(options: MemoryBenchOptions): Promise<BenchResult> {
  const measured: Measured[] = [];
  for (const profiles of options.profiles) measured.push(await measure(profiles));
  const base = measured[0]!;
  const rows = measured
    .slice(1)
    .flatMap((m) => [
      row(
        `RSS at ${formatNumber(m.profiles)} vs ${formatNumber(base.profiles)} profiles`,
        'MiB',
        m.rssBytes / 2 ** 20,
        base.rssBytes / 2 ** 20,
        { op: '<=', ratio: 1.2 },
      ),
      row(
        `RssAnon at ${formatNumber(m.profiles)} vs ${formatNumber(base.profiles)}`,
        'MiB',
        m.anonBytes / 2 ** 20,
        base.anonBytes / 2 ** 20,
        { op: '<=', ratio: 1.2 },
      ),
    ]);
  return {
    name: 'memory: engine RSS and LMDB size as profiles grow',
    workload: [
      `stores of ${options.profiles.map((n) => formatNumber(n)).join(' and ')} profiles (copies of 2,000 order-built profiles, 10 retail audiences indexed)`,
      `engine in a child process; ${formatNumber(READS)} GetProfile calls spread over every profile, then /proc/<pid>/status`,
    ],
    rows,
    details: {
      headers: ['profiles', 'RSS', 'RssAnon', 'LMDB data.mdb', 'LMDB bytes per profile'],
      rows: measured.map((m) => [
        formatNumber(m.profiles),
        `${(m.rssBytes / 2 ** 20).toFixed(0)} MiB`,
        `${(m.anonBytes / 2 ** 20).toFixed(0)} MiB`,
        `${(m.lmdbBytes / 2 ** 20).toFixed(0)} MiB`,
        formatNumber(m.lmdbBytes / m.profiles),
      ]),
    },
    notes: [
      'the LMDB size includes identities, the audience index and free pages; it is the file a volume must hold',
    ],
    raw: measured,
  };
}

async function measure(profiles: number): Promise<Measured> {
  const env = await setup('pulse-bench-memory-');
  const dataDir = join(env.dir, 'engine');
  try {
    const prepared = await prepareStore(dataDir, profiles);
    const metricsPort = await freePort();
    const engine = await spawnEngine(env, {
      PULSE_DATA_DIR: dataDir,
      PULSE_METRICS_PORT: String(metricsPort),
    });
    const client = createClient(ProfileService, `127.0.0.1:${engine.grpcPort}`);
    try {
      const users = prepared.userIds;
      for (let i = 0; i < READS; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, k) =>
            client.getProfile({
              identifier: { type: 'user_id', value: users[(i + k) % users.length]! },
            }),
          ),
        );
      }
      const status = readFileSync(`/proc/${engine.child.pid}/status`, 'utf8');
      const kib = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      const lmdbBytes = readFileSync(join(dataDir, 'data.mdb')).byteLength;
      return { profiles, rssBytes: kib('VmRSS'), anonBytes: kib('RssAnon'), lmdbBytes };
    } finally {
      client.close();
      engine.child.kill('SIGTERM');
      await engine.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await env.cleanup();
  }
}
