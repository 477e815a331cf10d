import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { createClient } from '@pulse/grpc';
import { HEADERS, STREAMS, ensureStreams, freePort, rawSubject } from '@pulse/nats';
import { DecisionService } from '@pulse/proto';
import { UCI_FILE, setup } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import { LatencyRecorder } from './latency-recorder.js';
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
  /** Measured time of one phase in one round. */
  phaseMs: number;
  /** Rounds of the three phases; each phase's figures pool its rounds. */
  rounds: number;
}

const FLUSH_EVERY = 500;
const DRAIN_POLL_MS = 10;
const DRAIN_TIMEOUT_MS = 120_000;

/**
 * Decide and ingest on one engine (a child process): each alone at a fixed
 * offered rate, then both at once at the same rates, in rounds. Decide's p99
 * and the orders applied per second are compared with their own figures alone.
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
      const decide = (into: LatencyRecorder) =>
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
          into,
        );
      const eventsFor = (runId: string) =>
        buildOrderWorkload(UCI_FILE, {
          events: Math.ceil((options.ingestRate * (options.warmupMs + options.phaseMs)) / 1_000),
          runId,
        });
      const ingest = (workload: OrderWorkload) => ingestPhase(nc, workload, options, applied);

      // The phases take turns round by round, so a burst of other work on
      // the machine falls on each alike; each phase pools its rounds.
      const alone = new LatencyRecorder();
      const mixed = new LatencyRecorder();
      const rounds: RoundFigures[] = [];
      const ingestAlone = new IngestTally();
      const ingestMixed = new IngestTally();
      for (let round = 0; round < options.rounds; round += 1) {
        const decideAlone = await decide(alone);
        ingestAlone.add(await ingest(eventsFor(`alone-${round}`)));
        const [decideMixed, measured] = await Promise.all([
          decide(mixed),
          ingest(eventsFor(`mixed-${round}`)),
        ]);
        ingestMixed.add(measured);
        rounds.push({ aloneP99Ms: decideAlone.p99Ms, mixedP99Ms: decideMixed.p99Ms });
      }
      return report(options, {
        decideAlone: alone.summary(),
        decideMixed: mixed.summary(),
        ingestAlone: ingestAlone.perSec(),
        ingestMixed: ingestMixed.perSec(),
        rounds,
      });
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
 * Publishes at the offered rate, then waits until the engine applied
 * everything on the stream by then (Decide's DECISION events included).
 * Returns the orders published in the measured part and the time from its
 * start until they were all applied: a rate at most the offered one, lower
 * when the engine fell behind.
 */
async function ingestPhase(
  nc: NatsConnection,
  workload: OrderWorkload,
  options: MixedBenchOptions,
  applied: () => Promise<number>,
): Promise<IngestMeasure> {
  const jsm = await jetstreamManager(nc);
  const intervalMs = 1_000 / options.ingestRate;
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  let measuredFrom: number | undefined;
  for (let i = 0; i < workload.payloads.length; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (measuredFrom === undefined && due >= measureFrom) measuredFrom = i;
    const h = headers();
    h.set(HEADERS.msgId, workload.messageIds[i]!);
    nc.publish(rawSubject('bench'), workload.payloads[i]!, { headers: h });
    if (i % FLUSH_EVERY === 0) await nc.flush();
  }
  await nc.flush();
  const lastSeq = (await jsm.streams.info(STREAMS.raw)).state.last_seq;
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while ((await applied()) < lastSeq) {
    if (performance.now() > deadline) throw new Error(`engine did not apply up to ${lastSeq}`);
    await sleep(DRAIN_POLL_MS);
  }
  const events = workload.payloads.length - (measuredFrom ?? workload.payloads.length);
  return { events, seconds: (performance.now() - measureFrom) / 1_000 };
}

interface IngestMeasure {
  events: number;
  seconds: number;
}

/** Events applied and measured seconds summed over rounds. */
class IngestTally {
  private events = 0;
  private seconds = 0;

  add(measure: IngestMeasure): void {
    this.events += measure.events;
    this.seconds += measure.seconds;
  }

  perSec(): number {
    return this.seconds > 0 ? this.events / this.seconds : Number.NaN;
  }
}

interface RoundFigures {
  aloneP99Ms: number;
  mixedP99Ms: number;
}

interface Figures {
  decideAlone: LatencySummary;
  decideMixed: LatencySummary;
  ingestAlone: number;
  ingestMixed: number;
  rounds: RoundFigures[];
}

function report(options: MixedBenchOptions, f: Figures): BenchResult {
  return {
    name: 'mixed: Decide while events are applied',
    workload: [
      `Decide (homepage) at ${formatNumber(options.decideRate)} req/s and UCI-shaped orders at ${formatNumber(options.ingestRate)} events/s, open loop; ${options.rounds} round(s) of Decide alone, ingest alone, both (${formatNumber(options.phaseMs / 1_000)} s measured each), each phase's rounds pooled`,
      `engine in a child process with ${formatNumber(options.profileEvents)} orders loaded first; ingest is the orders published in the measured part over the time until the engine applied them`,
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
    notes: [
      `Decide p99 by round: alone ${f.rounds.map((r) => r.aloneP99Ms.toFixed(1)).join(' / ')} ms, ` +
        `both ${f.rounds.map((r) => r.mixedP99Ms.toFixed(1)).join(' / ')} ms`,
    ],
    raw: f,
  };
}
