import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { STREAMS, ensureStreams } from '@pulse/nats';
import { UCI_FILE, setup } from '../harness/index.js';
import { consumeAndAckOnly } from './ack-only-consumer.js';
import { startBenchEngine, waitUntilApplied } from './engine-fixture.js';
import { buildMergeWorkload, buildUciIdentityWorkload } from './identity-workload.js';
import type { OrderWorkload } from './order-workload.js';
import { publishWorkload } from './publish-events.js';
import { formatNumber, row } from './report.js';
import type { BenchResult, BenchRow } from './report.js';

/** Options of {@link runIdentityBench}. */
export interface IdentityBenchOptions {
  /** Copies of the UCI file (distinct people each). */
  uciCopies: number;
  /** People in the merge-heavy stream (8 events, 2 merges each). */
  mergePeople: number;
}

const TIMEOUT_MS = 150_000;

interface Measured {
  events: number;
  referencePerSec: number;
  oursPerSec: number;
  profiles: number;
  merges: number;
  identifiers: number;
}

/**
 * Events/s through identity resolution: the same engine path as ingest
 * (resolve identifiers, link, merge, apply features, audiences, commit), on
 * two streams: the UCI file (orders keyed by user_id, no merges) and a
 * generated stream where every person merges twice. Reference: the same
 * messages read by an ack-only consumer.
 */
export async function runIdentityBench(options: IdentityBenchOptions): Promise<BenchResult> {
  const uci = await measure(await buildUciIdentityWorkload(UCI_FILE, options.uciCopies, 'id-uci'));
  const uciDescription = lastDescription;
  const merge = await measure(buildMergeWorkload(options.mergePeople, 'id-merge'));
  const mergeDescription = lastDescription;
  const rows: BenchRow[] = [
    row('UCI file', 'events/s', uci.oursPerSec, uci.referencePerSec, { op: '>=', ratio: 0.5 }),
    row('merge-heavy', 'events/s', merge.oursPerSec, merge.referencePerSec, {
      op: '>=',
      ratio: 0.5,
    }),
  ];
  const detail = (label: string, m: Measured) => [
    label,
    formatNumber(m.events),
    formatNumber(m.profiles),
    formatNumber(m.identifiers),
    formatNumber(m.merges),
    `${formatNumber((m.merges * m.oursPerSec) / m.events)} merges/s`,
  ];
  return {
    name: 'identity: events through identity resolution, committed in LMDB',
    workload: [
      `UCI: ${uciDescription}`,
      `merge-heavy: ${mergeDescription}`,
      'reference: the same messages read by an ack-only durable consumer',
      'ours: fresh in-process engine with the retail definitions, timed from ready to last applied',
    ],
    rows,
    details: {
      headers: ['stream', 'events', 'profiles', 'identifiers', 'merges', 'merge rate'],
      rows: [detail('UCI file', uci), detail('merge-heavy', merge)],
    },
    raw: { uci, merge },
  };
}

let lastDescription = '';

async function measure(workload: OrderWorkload): Promise<Measured> {
  lastDescription = workload.description;
  const env = await setup('pulse-bench-identity-');
  const nc = await connect({ servers: env.nats.url, name: 'bench-publisher' });
  try {
    await ensureStreams(nc);
    const published = await publishWorkload(nc, workload);
    const n = published.messages;
    let started = performance.now();
    const referenceMs =
      (await consumeAndAckOnly(env.nats.url, published.lastSeq, TIMEOUT_MS)) - started;

    // Timed from ready, so the engine's start-up does not weigh on small streams.
    const engine = await startBenchEngine(env.nats.url, join(env.dir, 'engine'));
    started = performance.now();
    const store = engine.context.store;
    const appliedAtReady = store.appliedSequence(STREAMS.raw);
    const engineMs = (await waitUntilApplied(engine, published.lastSeq, TIMEOUT_MS)) - started;
    let merges = 0;
    for (const { value } of store.profiles.getRange()) merges += value.merges?.length ?? 0;
    const measured: Measured = {
      events: n,
      referencePerSec: (n * 1_000) / referenceMs,
      oursPerSec: ((published.lastSeq - appliedAtReady) * 1_000) / engineMs,
      profiles: store.profiles.getKeysCount(),
      identifiers: store.identities.getKeysCount(),
      merges,
    };
    await engine.stop();
    return measured;
  } finally {
    await nc.drain();
    await env.cleanup();
  }
}
