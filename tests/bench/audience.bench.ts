/**
 * Audiences at scale: a generated set of profiles written straight into
 * LMDB, then a backfill of every retail audience over them, Check latency at
 * fixed offered rates from a separate process, and ListMembers throughput.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient } from '@pulse/grpc';
import { indexFingerprint, loadDefinitions, rebuildAudienceIndex } from '@pulse/engine';
import { startLocalNatsServer } from '@pulse/nats';
import { AudienceService, TransitionReason } from '@pulse/proto';
import { PulseStore } from '@pulse/store';
import type { ProfileRecord } from '@pulse/store';
import { RETAIL_DEFINITIONS_DIR, startBenchEngine } from './engine-fixture.js';
import { runLoadGenerator } from './load-runner.js';
import type { LoadPhase } from './load-protocol.js';
import type { MeasuredPhase } from './load-runner.js';
import { buildProfiles } from './profile-fixture.js';
import { row } from './report.js';
import type { BenchResult } from './report.js';

/** Settings of the audience benchmark. */
export interface AudienceBenchOptions {
  /** Profiles written into LMDB. */
  profiles: number;
  ratesPerSec: readonly number[];
  warmupMs: number;
  phaseMs: number;
  primeCalls: number;
}

/** Distinct profiles built from orders; the rest are copies under new ids. */
const TEMPLATES = 2_000;

const WRITE_BATCH = 5_000;

export async function runAudienceBench(options: AudienceBenchOptions): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-audience-'));
  const nats = await startLocalNatsServer({ storeDir: join(dir, 'jetstream') });
  try {
    const dataDir = join(dir, 'engine');
    const prepared = await prepareStore(dataDir, options.profiles);
    const engine = await startBenchEngine(nats.url, dataDir);
    try {
      const address = `127.0.0.1:${engine.grpcPort}`;
      const store = engine.context.store;
      let started = performance.now();
      const inProcess = [...store.memberIds(prepared.audienceId)].length;
      const inProcessMs = performance.now() - started;
      started = performance.now();
      const listed = await listMembers(address, prepared.audienceId);
      const list = { members: listed, ms: performance.now() - started, inProcess, inProcessMs };
      const results = await runLoadGenerator({
        address,
        userIds: prepared.userIds,
        audienceId: prepared.audienceId,
        placement: 'homepage',
        limit: 3,
        primeCalls: options.primeCalls,
        phases: checkPhases(options),
      });
      return report(options, prepared, list, results);
    } finally {
      await engine.stop();
    }
  } finally {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Prepared {
  writeMs: number;
  readOnlyMs: number;
  backfillMs: number;
  transitions: number;
  userIds: string[];
  /** The largest audience, which ListMembers and Check read. */
  audienceId: string;
  members: number;
}

/**
 * Writes `profiles` profiles (copies of order-built templates under their own
 * ids and user ids), times a read-only pass over them as the reference, then
 * backfills every retail audience, and leaves a fresh index and an empty
 * outbox for the engine (publishing millions of transitions is not measured).
 */
export async function prepareStore(dataDir: string, profiles: number): Promise<Prepared> {
  const defs = loadDefinitions(RETAIL_DEFINITIONS_DIR);
  const templates = buildProfiles(Math.min(TEMPLATES, profiles)).records;
  const store = PulseStore.open({ path: dataDir });
  try {
    const userIds: string[] = [];
    let started = performance.now();
    for (let i = 0; i < profiles; i += WRITE_BATCH) {
      store.transaction(() => {
        for (let j = i; j < Math.min(profiles, i + WRITE_BATCH); j += 1) {
          const record = copyOf(templates[j % templates.length]!, j);
          store.putProfile(record);
          store.linkIdentifier('user_id', `u${j}`, record.id);
          if (j % 97 === 0) userIds.push(`u${j}`);
        }
      });
    }
    const writeMs = performance.now() - started;

    started = performance.now();
    for (const id of store.profileIds()) store.getProfile(id);
    const readOnlyMs = performance.now() - started;

    const fingerprint = indexFingerprint(defs, 'wall');
    started = performance.now();
    const done = await rebuildAudienceIndex(
      store,
      defs,
      fingerprint,
      () => Date.now(),
      { nowRuleRecheckMs: 3_600_000 },
      () => true,
      { reason: TransitionReason.BACKFILL },
    );
    const backfillMs = performance.now() - started;
    await store.outbox.clearAsync();

    const sizes = defs.audiences.ids.map((id) => [id, store.countMembers(id)] as const);
    const [audienceId, members] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    const common = { writeMs, readOnlyMs, backfillMs, userIds, audienceId, members };
    return { ...common, transitions: done.transitions };
  } finally {
    await store.close();
  }
}

function copyOf(template: ProfileRecord, i: number): ProfileRecord {
  const copy = structuredClone(template);
  copy.id = `p${String(i).padStart(8, '0')}`;
  copy.identifiers = [['user_id', `u${i}`]];
  copy.audiences = [];
  copy.recheckAtMs = null;
  return copy;
}

async function listMembers(address: string, audienceId: string): Promise<number> {
  const client = createClient(AudienceService, address, { deadlineMs: 30_000 });
  try {
    let members = 0;
    for await (const chunk of client.listMembers({ audienceId })) {
      members += chunk.profileIds.length;
    }
    return members;
  } finally {
    client.close();
  }
}

function checkPhases(options: AudienceBenchOptions): LoadPhase[] {
  return options.ratesPerSec.flatMap((rate): LoadPhase[] =>
    (['ping', 'check'] as const).map((method) => ({
      kind: 'open',
      key: `${method}@${rate}`,
      method,
      ratePerSec: rate,
      warmupMs: options.warmupMs,
      durationMs: options.phaseMs,
    })),
  );
}

function report(
  options: AudienceBenchOptions,
  prepared: Prepared,
  list: { members: number; ms: number; inProcess: number; inProcessMs: number },
  results: MeasuredPhase[],
): BenchResult {
  const perSec = (n: number, ms: number) => (n * 1_000) / ms;
  const backfillRate = perSec(options.profiles, prepared.backfillMs);
  const readRate = perSec(options.profiles, prepared.readOnlyMs);
  const listRate = perSec(list.members, list.ms);
  const scanRate = perSec(list.inProcess, list.inProcessMs);
  const rows = [
    row('backfill', 'profiles/s', backfillRate, readRate, { op: '>=', ratio: 0.1 }),
    row('ListMembers', 'members/s', listRate, scanRate, { op: '>=', ratio: 0.05 }),
  ];
  const byKey = new Map(results.map((r) => [r.phase.key, r]));
  const details: string[][] = [];
  for (const rate of options.ratesPerSec) {
    const check = byKey.get(`check@${rate}`)!;
    const ping = byKey.get(`ping@${rate}`)!;
    const p99 = `Check p99 at ${rate}/s`;
    rows.push(row(p99, 'ms', check.latency.p99Ms, ping.latency.p99Ms, { op: '<=', ratio: 3 }));
    for (const r of [ping, check]) {
      details.push([
        r.phase.key,
        r.achievedPerSec.toFixed(0),
        r.latency.p50Ms.toFixed(3),
        r.latency.p99Ms.toFixed(3),
        String(r.errors),
        r.server.cpuPerRequestUs.toFixed(0),
      ]);
    }
  }
  const n = options.profiles.toLocaleString('en');
  return {
    name: 'audiences at scale: backfill, ListMembers, Check',
    workload: [
      `${n} profiles written straight into LMDB in ${(prepared.writeMs / 1_000).toFixed(1)} s ` +
        `(copies of ${TEMPLATES.toLocaleString('en')} order-built profiles, 10 retail audiences)`,
      `backfill: every audience over every profile, ${prepared.transitions} transitions into ` +
        `the outbox, against a read-only pass over the same profiles`,
      `ListMembers of '${prepared.audienceId}' (${prepared.members} members) over gRPC, ` +
        'against iterating the same index in process',
      'Check from a load generator in its own process at fixed rates, against Ping',
    ],
    rows,
    details: {
      headers: ['phase', 'ok/s', 'p50 ms', 'p99 ms', 'errors', 'srv us/req'],
      rows: details,
    },
    raw: { prepared: { ...prepared, userIds: prepared.userIds.length }, list, results },
  };
}
