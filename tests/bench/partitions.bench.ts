import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { partitionOf } from '@pulse/engine';
import { createClient } from '@pulse/grpc';
import { ensureStreams, freePort } from '@pulse/nats';
import { DecisionService, ProfileService } from '@pulse/proto';
import { UCI_FILE, setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
import type { LatencySummary } from './latency-recorder.js';
import { openLoop } from './open-loop.js';
import { buildOrderWorkload } from './order-workload.js';
import { publishWorkload } from './publish-events.js';
import { formatNumber, row } from './report.js';
import type { BenchResult } from './report.js';

/** Options of {@link runPartitionsBench}. */
export interface PartitionsBenchOptions {
  events: number;
  /** Engine processes of the partitioned run. */
  engines: number;
  partitions: number;
  /** Offered Decide rate of each open-loop phase, requests per second. */
  decideRate: number;
  warmupMs: number;
  phaseMs: number;
}

const LEASE_MS = 3_000;
const TIMEOUT_MS = 300_000;

interface EngineNode {
  name: string;
  handle: EngineProcess;
  metricsPort: number;
}

/**
 * Ingest with one engine process against N partitioned ones (each its own
 * process, LMDB and durable consumer, on one machine), from the first
 * publish until every engine applied the last event; then Decide at a fixed
 * offered rate on one engine, for profiles it owns against profiles another
 * process owns (forwarded over NATS request/reply).
 */
export async function runPartitionsBench(options: PartitionsBenchOptions): Promise<BenchResult> {
  const single = await ingestRun(options, 1);
  const cluster = await ingestRun(options, options.engines, async (env, nc, nodes, users) =>
    decideLocalAndForwarded(options, nc, nodes, users),
  );
  const decide = cluster.decide!;
  return {
    name: 'partitions: engine processes on one machine',
    workload: [
      `${formatNumber(options.events)} UCI-shaped order events published to PULSE_RAW, timed from the first publish until every engine applied the last`,
      `1 engine (PULSE_PARTITIONS=1) against ${options.engines} engine processes sharing ${options.partitions} partitions`,
      `Decide (homepage) on one engine at ${options.decideRate} req/s offered, open loop, latency from each call's due time: profiles it owns, then profiles another process owns`,
    ],
    rows: [
      row(
        `ingest, ${options.engines} processes vs 1`,
        'events/s',
        cluster.eventsPerSec,
        single.eventsPerSec,
        { op: '>=', ratio: 1 },
      ),
      row('Decide p99, forwarded vs owned', 'ms', decide.forwarded.p99Ms, decide.local.p99Ms, {
        op: '<=',
        ratio: 2,
      }),
    ],
    details: {
      headers: ['figure', 'p50', 'p99', 'max', 'calls'],
      rows: [
        latencyRow('Decide, profile owned by the engine called', decide.local),
        latencyRow('Decide, profile owned by another process', decide.forwarded),
        ['ingest, 1 engine', `${formatNumber(single.eventsPerSec)} events/s`, '', '', ''],
        [
          `ingest, ${options.engines} engines`,
          `${formatNumber(cluster.eventsPerSec)} events/s`,
          '',
          '',
          '',
        ],
      ],
    },
    notes: [
      'every engine still decodes and resolves identity for every event; partitions divide features and audiences',
      `${options.engines} engine processes, nats-server and the bench share this machine's cores`,
    ],
    raw: { single, cluster },
  };
}

function latencyRow(label: string, s: LatencySummary): string[] {
  return [
    label,
    `${s.p50Ms.toFixed(2)} ms`,
    `${s.p99Ms.toFixed(2)} ms`,
    `${s.maxMs.toFixed(2)} ms`,
    formatNumber(s.count),
  ];
}

interface IngestRun {
  eventsPerSec: number;
  decide?: { local: LatencySummary; forwarded: LatencySummary };
}

async function ingestRun(
  options: PartitionsBenchOptions,
  engines: number,
  after?: (
    env: TestEnv,
    nc: NatsConnection,
    nodes: EngineNode[],
    users: string[],
  ) => Promise<IngestRun['decide']>,
): Promise<IngestRun> {
  const env = await setup('pulse-bench-partitions-');
  const nc = await connect({ servers: env.nats.url, name: 'bench-partitions' });
  const nodes: EngineNode[] = [];
  try {
    await ensureStreams(nc);
    const partitions = engines === 1 ? 1 : options.partitions;
    for (let i = 0; i < engines; i += 1) {
      const name = `engine-${i}`;
      const metricsPort = await freePort();
      const handle = await spawnEngine(env, {
        PULSE_DATA_DIR: join(env.dir, name),
        PULSE_CONSUMER_NAME: name,
        PULSE_METRICS_PORT: String(metricsPort),
        PULSE_PARTITIONS: String(partitions),
        PULSE_LEASE_MS: String(LEASE_MS),
      });
      nodes.push({ name, handle, metricsPort });
    }
    if (engines > 1) await settled(nodes, partitions);
    const workload = buildOrderWorkload(UCI_FILE, { events: options.events, runId: `p${engines}` });
    const started = performance.now();
    const published = await publishWorkload(nc, workload);
    await allApplied(nodes, published.lastSeq);
    const eventsPerSec = (published.messages * 1_000) / (performance.now() - started);
    const users = [...new Set(workload.userIds)];
    const decide = after ? await after(env, nc, nodes, users) : undefined;
    return { eventsPerSec, decide };
  } finally {
    for (const node of nodes) node.handle.child.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.handle.exited));
    await nc.drain();
    await env.cleanup();
  }
}

async function metric(node: EngineNode, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.metricsPort}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

/** Every partition served, and by the same engines a lease later. */
async function settled(nodes: EngineNode[], partitions: number): Promise<void> {
  let previous = '';
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = await Promise.all(nodes.map((n) => metric(n, 'pulse_engine_partitions_owned')));
    const now = JSON.stringify(counts);
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === partitions && counts.every((c) => c > 0) && now === previous) return;
    if (Date.now() > deadline) throw new Error(`partitions did not settle: ${now}`);
    previous = now;
    await sleep(LEASE_MS);
  }
}

async function allApplied(nodes: EngineNode[], lastSeq: number): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const applied = await Promise.all(nodes.map((n) => metric(n, 'pulse_engine_applied_sequence')));
    if (applied.every((seq) => seq >= lastSeq)) return;
    if (Date.now() > deadline) throw new Error(`applied ${applied.join(', ')} of ${lastSeq}`);
    await sleep(10);
  }
}

async function decideLocalAndForwarded(
  options: PartitionsBenchOptions,
  nc: NatsConnection,
  nodes: EngineNode[],
  users: string[],
): Promise<IngestRun['decide']> {
  const target = nodes[0]!;
  const address = `127.0.0.1:${target.handle.grpcPort}`;
  const profiles = createClient(ProfileService, address, { deadlineMs: 10_000 });
  const decisions = createClient(DecisionService, address, { deadlineMs: 10_000 });
  try {
    const kv = await new Kvm(nc).open('PULSE_PARTITIONS');
    const owners = new Map<number, string>();
    for (let p = 0; p < options.partitions; p += 1) {
      const entry = await kv.get(`lease.${p}`);
      if (entry?.operation === 'PUT') owners.set(p, entry.json<{ owner: string }>().owner);
    }
    const local: string[] = [];
    const forwarded: string[] = [];
    for (const user of users.slice(0, 400)) {
      const { profile } = await profiles.getProfile({
        identifier: { type: 'user_id', value: user },
      });
      const owner = owners.get(partitionOf(profile!.profileId, options.partitions));
      (owner === target.name ? local : forwarded).push(user);
    }
    return {
      local: await decideOpenLoop(decisions, local, options),
      forwarded: await decideOpenLoop(decisions, forwarded, options),
    };
  } finally {
    profiles.close();
    decisions.close();
  }
}

/** Decide at the benchmark's offered rate for these users. */
async function decideOpenLoop(
  decisions: ReturnType<typeof createClient<typeof DecisionService>>,
  users: string[],
  options: PartitionsBenchOptions,
): Promise<LatencySummary> {
  if (users.length === 0) throw new Error('no profile on this side of the partitions');
  const phase = {
    ratePerSec: options.decideRate,
    warmupMs: options.warmupMs,
    phaseMs: options.phaseMs,
  };
  return openLoop(phase, (i) =>
    decisions.decide({
      placement: 'homepage',
      identifiers: [{ type: 'user_id', value: users[i % users.length]! }],
    }),
  );
}
