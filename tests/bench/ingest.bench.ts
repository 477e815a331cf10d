import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { STREAMS, ensureStreams } from '@pulse/nats';
import { UCI_FILE, setup } from '../harness/index.js';
import { consumeAndAckOnly } from './ack-only-consumer.js';
import { startBenchEngine, waitUntilApplied } from './engine-fixture.js';
import { buildOrderWorkload } from './order-workload.js';
import { publishWorkload } from './publish-events.js';
import { formatNumber, row } from './report.js';
import type { BenchResult } from './report.js';

/** Options of {@link runIngestBench}. */
export interface IngestBenchOptions {
  events: number;
  /** Customers the orders go to, with Zipf skew. */
  customers: number;
}

/** Longest either consumer may take to reach the last message. */
const TIMEOUT_MS = 150_000;

/**
 * Publish -> committed in LMDB. N encoded events go into PULSE_RAW of a
 * fresh nats-server; an ack-only durable consumer reads them all (the
 * reference), then a fresh engine with its own durable and LMDB reads the
 * same messages until its applied sequence reaches the last one.
 */
export async function runIngestBench(options: IngestBenchOptions): Promise<BenchResult> {
  const env = await setup('pulse-bench-ingest-');
  const nc = await connect({ servers: env.nats.url, name: 'bench-publisher' });
  try {
    let started = performance.now();
    const workload = buildOrderWorkload(UCI_FILE, {
      events: options.events,
      customers: options.customers,
      runId: 'ingest',
    });
    const buildMs = performance.now() - started;
    await ensureStreams(nc);
    const published = await publishWorkload(nc, workload);
    const n = published.messages;

    started = performance.now();
    const referenceDoneMs = await consumeAndAckOnly(env.nats.url, published.lastSeq, TIMEOUT_MS);
    const referenceMs = referenceDoneMs - started;
    const referencePerSec = (n * 1_000) / referenceMs;

    started = performance.now();
    const cpuBefore = process.cpuUsage();
    const engine = await startBenchEngine(env.nats.url, join(env.dir, 'engine'));
    const readyMs = performance.now() - started;
    const engineDoneMs = await waitUntilApplied(engine, published.lastSeq, TIMEOUT_MS);
    const cpu = process.cpuUsage(cpuBefore);
    const engineMs = engineDoneMs - started;
    const oursPerSec = (n * 1_000) / engineMs;
    const profiles = engine.context.store.profiles.getKeysCount();
    await engine.stop();

    const cpuMs = (cpu.user + cpu.system) / 1_000;
    return {
      name: 'ingest: publish -> features committed in LMDB',
      workload: [
        `${workload.description}, into ${STREAMS.raw} with Nats-Msg-Id`,
        `reference: ack-only durable consumer (AckPolicy.All, engine's consume() settings)`,
        `ours: fresh in-process engine, own durable + LMDB, same messages; clock from start`,
      ],
      rows: [
        row(
          'throughput',
          'events/s',
          oursPerSec,
          referencePerSec,
          { op: '>=', ratio: 0.5 },
          '>= 50,000 events/s',
        ),
      ],
      details: {
        headers: ['step', 'figure'],
        rows: [
          ['build workload', `${formatNumber(buildMs)} ms`],
          [
            'publish (core publish, flush every 2,000)',
            `${formatNumber((n * 1_000) / published.elapsedMs)} events/s`,
          ],
          ['ack-only consumer: start -> last acked', `${formatNumber(referenceMs)} ms`],
          ['engine start -> ready', `${formatNumber(readyMs)} ms`],
          ['engine start -> last applied', `${formatNumber(engineMs)} ms`],
          [
            'engine process CPU while applying',
            `${formatNumber((100 * cpuMs) / engineMs)} % of one core`,
          ],
          ['engine CPU per event', `${formatNumber((cpuMs * 1_000) / n)} us`],
          ['profiles in LMDB', formatNumber(profiles)],
        ],
      },
      raw: {
        events: n,
        bytes: workload.totalBytes,
        publishMs: published.elapsedMs,
        referenceMs,
        referencePerSec,
        oursPerSec,
        engineReadyMs: readyMs,
        engineMs,
        engineCpuMs: cpuMs,
        profiles,
      },
    };
  } finally {
    await nc.drain();
    await env.cleanup();
  }
}
