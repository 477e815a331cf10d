import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { createClient } from '@pulse/grpc';
import { HEADERS, ensureStreams, freePort, rawSubject } from '@pulse/nats';
import { DecisionService } from '@pulse/proto';
import { UCI_FILE, setup } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import type { LatencySummary } from './latency-recorder.js';
import { openLoop } from './open-loop.js';
import { buildOrderWorkload } from './order-workload.js';
import type { OrderWorkload } from './order-workload.js';
import { publishWorkload } from './publish-events.js';
import { formatNumber, row } from './report.js';
import type { BenchResult } from './report.js';

/** Options of {@link runMixedBench}. */
export interface MixedBenchOptions {
  /** Events loaded before measuring, so Decide reads real profiles. */
  profileEvents: number;
  /** Offered Decide rate, about half of what the decide benchmark sustains here. */
  decideRate: number;
  /** Offered event rate, about half of what the ingest benchmark sustains here. */
  ingestRate: number;
  warmupMs: number;
  phaseMs: number;
}

const FLUSH_EVERY = 500;

/**
 * Decide and ingest on one engine (a child process): each alone at a fixed
 * offered rate, then both at once at the same rates. Decide's p99 and the
 * events applied per second are compared with their own figures alone.
 */
export async function runMixedBench(options: MixedBenchOptions): Promise<BenchResult> {
  const env = await setup('pulse-bench-mixed-');
  const nc = await connect({ servers: env.nats.url, name: 'bench-mixed' });
  const metricsPort = await freePort();
  try {
    await ensureStreams(nc);
    const preload = buildOrderWorkload(UCI_FILE, { events: options.profileEvents, runId: 'pre' });
    await publishWorkload(nc, preload);
    const engine = await spawnEngine(env, {
      PULSE_DATA_DIR: join(env.dir, 'engine'),
      PULSE_METRICS_PORT: String(metricsPort),
    });
    const applied = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Number(/^pulse_engine_applied_sequence (\S+)$/m.exec(text)?.[1] ?? 0);
    };
    const decisions = createClient(DecisionService, `127.0.0.1:${engine.grpcPort}`);
    try {
      while ((await applied()) < options.profileEvents) await sleep(50);
      const users = [...new Set(preload.userIds)];
      const decide = () =>
        openLoop(
          {
            ratePerSec: options.decideRate,
            warmupMs: options.warmupMs,
            phaseMs: options.phaseMs,
          },
          (i) =>
            decisions.decide({
              placement: 'homepage',
              identifiers: [{ type: 'user_id', value: users[(i * 7919) % users.length]! }],
            }),
        );
      const eventsFor = (runId: string) =>
        buildOrderWorkload(UCI_FILE, {
          events: Math.ceil((options.ingestRate * (options.warmupMs + options.phaseMs)) / 1_000),
          runId,
        });
      const ingest = (workload: OrderWorkload) => ingestPhase(nc, workload, options, applied);

      const decideAlone = await decide();
      const ingestAlone = await ingest(eventsFor('alone'));
      const [decideMixed, ingestMixed] = await Promise.all([decide(), ingest(eventsFor('mixed'))]);
      return report(options, { decideAlone, decideMixed, ingestAlone, ingestMixed });
    } finally {
      decisions.close();
      engine.child.kill('SIGTERM');
      await engine.exited;
    }
  } finally {
    await nc.drain();
    await env.cleanup();
  }
}

/**
 * Publishes at the offered rate and returns the events the engine applied
 * per second over the measured part (its applied sequence read at both ends).
 */
async function ingestPhase(
  nc: NatsConnection,
  workload: OrderWorkload,
  options: MixedBenchOptions,
  applied: () => Promise<number>,
): Promise<number> {
  const intervalMs = 1_000 / options.ingestRate;
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  let fromSeq: number | undefined;
  for (let i = 0; i < workload.payloads.length; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (fromSeq === undefined && performance.now() >= measureFrom) fromSeq = await applied();
    const h = headers();
    h.set(HEADERS.msgId, workload.messageIds[i]!);
    nc.publish(rawSubject('bench'), workload.payloads[i]!, { headers: h });
    if (i % FLUSH_EVERY === 0) await nc.flush();
  }
  await nc.flush();
  const toSeq = await applied();
  const seconds = (performance.now() - measureFrom) / 1_000;
  const perSec = (toSeq - (fromSeq ?? toSeq)) / seconds;
  // Let the backlog drain before the next phase.
  const target = toSeq + (workload.payloads.length - (toSeq - (fromSeq ?? toSeq)));
  const deadline = Date.now() + 120_000;
  while ((await applied()) < target && Date.now() < deadline) await sleep(50);
  return perSec;
}

interface Figures {
  decideAlone: LatencySummary;
  decideMixed: LatencySummary;
  ingestAlone: number;
  ingestMixed: number;
}

function report(options: MixedBenchOptions, f: Figures): BenchResult {
  return {
    name: 'mixed: Decide while events are applied',
    workload: [
      `Decide (homepage) at ${formatNumber(options.decideRate)} req/s and UCI-shaped orders at ${formatNumber(options.ingestRate)} events/s, open loop, each alone then both`,
      `engine in a child process with ${formatNumber(options.profileEvents)} orders loaded first; ingest is the applied sequence's rise per second`,
    ],
    rows: [
      row('Decide p99, mixed vs alone', 'ms', f.decideMixed.p99Ms, f.decideAlone.p99Ms, {
        op: '<=',
        ratio: 1.5,
      }),
      row('ingest, mixed vs alone', 'events/s', f.ingestMixed, f.ingestAlone, {
        op: '>=',
        ratio: 0.8,
      }),
    ],
    details: {
      headers: ['phase', 'Decide p50', 'Decide p99', 'events applied/s'],
      rows: [
        [
          'Decide alone',
          `${f.decideAlone.p50Ms.toFixed(1)} ms`,
          `${f.decideAlone.p99Ms.toFixed(1)} ms`,
          '-',
        ],
        ['ingest alone', '-', '-', formatNumber(f.ingestAlone)],
        [
          'both',
          `${f.decideMixed.p50Ms.toFixed(1)} ms`,
          `${f.decideMixed.p99Ms.toFixed(1)} ms`,
          formatNumber(f.ingestMixed),
        ],
      ],
    },
    raw: f,
  };
}
