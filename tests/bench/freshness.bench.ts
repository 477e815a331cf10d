import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { toBinary } from '@bufbuild/protobuf';
import { status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { normalizeEvent } from '@pulse/events';
import { createClient } from '@pulse/grpc';
import { HEADERS, ensureStreams, freePort, rawSubject } from '@pulse/nats';
import { EventSchema, ProfileService } from '@pulse/proto';
import { UCI_FILE, setup } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import { LatencyRecorder } from './latency-recorder.js';
import type { LatencySummary } from './latency-recorder.js';
import { buildOrderWorkload } from './order-workload.js';
import { formatNumber, row } from './report.js';
import type { BenchResult, BenchRow } from './report.js';

/** Options of {@link runFreshnessBench}. */
export interface FreshnessBenchOptions {
  /** Background event rates, one phase each, events per second. */
  ratesPerSec: readonly number[];
  warmupMs: number;
  phaseMs: number;
}

/** A probe order every this many milliseconds. */
const PROBE_EVERY_MS = 50;
/** GetProfile poll period while a probe is not visible yet. */
const POLL_MS = 2;
/** A probe not visible after this long counts as this long (the engine fell behind). */
const GIVE_UP_MS = 5_000;
const FLUSH_EVERY = 500;

interface Phase {
  rate: number;
  visible: LatencySummary;
  delivered: LatencySummary;
  /** Probes that were still not visible after GIVE_UP_MS. */
  lost: number;
}

/**
 * Freshness: a probe order for a new customer, published to PULSE_RAW while
 * background UCI-shaped orders flow at a fixed rate, until GetProfile on the
 * engine (a child process) shows it. The reference is the same probe's trip
 * to a plain NATS subscriber in this process: the floor any consumer pays.
 */
export async function runFreshnessBench(options: FreshnessBenchOptions): Promise<BenchResult> {
  const env = await setup('pulse-bench-freshness-');
  const nc = await connect({ servers: env.nats.url, name: 'bench-freshness' });
  const metricsPort = await freePort();
  const engine = await spawnEngine(env, {
    PULSE_DATA_DIR: join(env.dir, 'engine'),
    PULSE_METRICS_PORT: String(metricsPort),
  });
  const profiles = createClient(ProfileService, `127.0.0.1:${engine.grpcPort}`);
  const phases: Phase[] = [];
  try {
    await ensureStreams(nc);
    for (const [i, rate] of options.ratesPerSec.entries()) {
      phases.push(await runPhase(nc, profiles, rate, `f${i}`, options));
    }
  } finally {
    profiles.close();
    engine.child.kill('SIGTERM');
    await engine.exited;
    await nc.drain();
    await env.cleanup();
  }
  const rows: BenchRow[] = phases.map((p) =>
    row(
      `p99 published -> visible at ${formatNumber(p.rate)} events/s`,
      'ms',
      p.visible.p99Ms,
      p.delivered.p99Ms,
      { op: '<=', ratio: 10 },
      p.rate === 10_000 ? 'p99 <= 50 ms at 10,000 events/s' : undefined,
    ),
  );
  return {
    name: 'freshness: event published -> visible in GetProfile',
    workload: [
      `background: UCI-shaped orders at each rate for ${options.warmupMs + options.phaseMs} ms (open loop, core publish)`,
      `probe: an order for a new customer every ${PROBE_EVERY_MS} ms; GetProfile every ${POLL_MS} ms until it shows; Decide reads the same state`,
      'reference: the same probe reaching a plain NATS subscriber',
    ],
    rows,
    details: {
      headers: [
        'events/s',
        'visible p50',
        'visible p99',
        'visible max',
        'delivered p99',
        'probes',
        'not visible',
      ],
      rows: phases.map((p) => [
        formatNumber(p.rate),
        `${p.visible.p50Ms.toFixed(1)} ms`,
        `${p.visible.p99Ms.toFixed(1)} ms`,
        `${p.visible.maxMs.toFixed(1)} ms`,
        `${p.delivered.p99Ms.toFixed(2)} ms`,
        String(p.visible.count),
        String(p.lost),
      ]),
    },
    notes: [
      `a probe not visible within ${GIVE_UP_MS / 1_000} s counts as ${GIVE_UP_MS / 1_000} s: past the rate the engine sustains, freshness is the backlog`,
    ],
    raw: phases,
  };
}

async function runPhase(
  nc: NatsConnection,
  profiles: ReturnType<typeof createClient<typeof ProfileService>>,
  rate: number,
  runId: string,
  options: FreshnessBenchOptions,
): Promise<Phase> {
  const totalMs = options.warmupMs + options.phaseMs;
  const workload = buildOrderWorkload(UCI_FILE, {
    events: Math.ceil((rate * totalMs) / 1_000),
    runId,
  });
  const visible = new LatencyRecorder();
  const delivered = new LatencyRecorder();
  const sentAt = new Map<string, number>();
  const probeSubject = rawSubject('bench-probe');
  const subscription = nc.subscribe(probeSubject, {
    callback: (_err, msg) => {
      const id = msg.headers?.get(HEADERS.msgId) ?? '';
      const at = sentAt.get(id);
      if (at !== undefined && at >= measureFrom) delivered.record(performance.now() - at);
    },
  });
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const probes: Promise<void>[] = [];
  let lost = 0;
  let nextProbe = started;
  const intervalMs = 1_000 / rate;
  for (let i = 0; i < workload.payloads.length; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const h = headers();
    h.set(HEADERS.msgId, workload.messageIds[i]!);
    nc.publish(rawSubject('bench'), workload.payloads[i]!, { headers: h });
    if (i % FLUSH_EVERY === 0) await nc.flush();
    if (performance.now() >= nextProbe) {
      nextProbe += PROBE_EVERY_MS;
      const id = `${runId}-probe-${probes.length}`;
      const at = performance.now();
      sentAt.set(id, at);
      publishProbe(nc, probeSubject, id);
      const measured = at >= measureFrom;
      probes.push(
        waitVisible(profiles, id, at).then((ms) => {
          if (ms === undefined) lost += 1;
          if (measured) visible.record(ms ?? GIVE_UP_MS);
        }),
      );
    }
  }
  await nc.flush();
  await Promise.all(probes);
  subscription.unsubscribe();
  return { rate, visible: visible.summary(), delivered: delivered.summary(), lost };
}

/** One order for a customer no other event names. */
function publishProbe(nc: NatsConnection, subject: string, id: string): void {
  const event = normalizeEvent(
    {
      type: 'track',
      event: 'Order Completed',
      userId: id,
      messageId: id,
      timestamp: new Date().toISOString(),
      properties: { order_id: id, revenue: 1 },
    },
    { source: 'bench-probe', receivedAtMs: Date.now() },
  );
  const h = headers();
  h.set(HEADERS.msgId, id);
  nc.publish(subject, toBinary(EventSchema, event), { headers: h });
}

/** Milliseconds from `sentAt` until GetProfile finds the probe's customer; undefined past GIVE_UP_MS. */
async function waitVisible(
  profiles: ReturnType<typeof createClient<typeof ProfileService>>,
  id: string,
  sentAt: number,
): Promise<number | undefined> {
  for (;;) {
    try {
      await profiles.getProfile({ identifier: { type: 'user_id', value: id } });
      return performance.now() - sentAt;
    } catch (err) {
      if ((err as ServiceError).code !== Status.NOT_FOUND) throw err;
    }
    if (performance.now() - sentAt > GIVE_UP_MS) return undefined;
    await sleep(POLL_MS);
  }
}
