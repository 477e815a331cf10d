import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { createClient } from '@pulse/grpc';
import { ensureStreams } from '@pulse/nats';
import { AudienceService, DecisionService } from '@pulse/proto';
import { UCI_FILE, setup } from '../harness/index.js';
import { startBenchEngine, waitUntilApplied } from './engine-fixture.js';
import { LOAD_METHODS } from './load-protocol.js';
import type { LoadMethod, LoadPhase, LoadPlan } from './load-protocol.js';
import { runLoadGenerator } from './load-runner.js';
import type { MeasuredPhase } from './load-runner.js';
import { buildOrderWorkload } from './order-workload.js';
import { writeOfferCatalogue } from './offer-catalogue.js';
import { publishWorkload } from './publish-events.js';
import { createRandom } from './random.js';
import { formatNumber, row } from './report.js';
import type { BenchResult, BenchRow } from './report.js';

/** Options of {@link runDecideBench}. */
export interface DecideBenchOptions {
  /** Events loaded before measuring, so requests read real profiles. */
  profileEvents: number;
  ratesPerSec: readonly number[];
  warmupMs: number;
  phaseMs: number;
  concurrency: number;
  closedLoopMs: number;
  /** Slices each phase is cut into, interleaved across methods. */
  rounds: number;
  /** Unrecorded calls per method before the first phase. */
  primeCalls: number;
  /** Offer catalogue sizes to measure, each on a fresh engine. @default [20, 200] */
  catalogueSizes?: readonly number[];
}

const PLACEMENT = 'homepage';
const DECIDE_LIMIT = 3;
const AUDIENCE_ID = 'repeat_buyers_7d';
const CLOSED_LOOP_WARMUP_MS = 300;
const USERS_IN_PLAN = 10_000;
const METHODS: readonly LoadMethod[] = ['ping', 'decide', 'check'];

/** Targets per method: p99 ratio at the same offered rate, and throughput ratio. */
const TARGETS = {
  decide: { p99: 1.25, throughput: 0.8, quietP99: 'p99 <= 2 ms at 2,000 req/s' },
  check: { p99: 1.1, throughput: 0.9, quietP99: 'p99 <= 1 ms' },
} as const;

/**
 * Decide and audience Check against Ping on the same engine. A load
 * generator in its own process offers fixed rates (open loop), method by
 * method at each rate, then keeps N calls in flight (closed loop) for the
 * most each method sustains.
 */
export async function runDecideBench(options: DecideBenchOptions): Promise<BenchResult> {
  const results: BenchResult[] = [];
  for (const offers of options.catalogueSizes ?? [20, 200]) {
    results.push(await runOneCatalogue(options, offers));
  }
  return {
    name: results[0]!.name,
    workload: results.flatMap((r) => r.workload),
    rows: results.flatMap((r) => r.rows),
    details: {
      headers: results[0]!.details!.headers,
      rows: results.flatMap((r) => r.details!.rows),
    },
    raw: results.map((r) => r.raw),
  };
}

/** The whole measurement on a fresh engine whose placement holds `offers` offers. */
async function runOneCatalogue(options: DecideBenchOptions, offers: number): Promise<BenchResult> {
  const env = await setup('pulse-bench-decide-');
  const nc = await connect({ servers: env.nats.url, name: 'bench-publisher' });
  const definitions = writeOfferCatalogue(join(env.dir, 'definitions'), PLACEMENT, offers);
  const engine = await loadEngine(env.nats.url, env.dir, nc, options.profileEvents, definitions);
  try {
    const address = `127.0.0.1:${engine.engine.grpcPort}`;
    const sample = await sampleResponses(address, engine.userIds[0]!);
    const plan: LoadPlan = {
      address,
      userIds: engine.userIds,
      audienceId: AUDIENCE_ID,
      placement: PLACEMENT,
      limit: DECIDE_LIMIT,
      primeCalls: options.primeCalls,
      phases: planPhases(options),
    };
    const results = await runLoadGenerator(plan);
    return summarize(
      options,
      results,
      `${offers} offers at '${PLACEMENT}'; ${engine.description}`,
      sample,
      offers,
    );
  } finally {
    await engine.engine.stop();
    await nc.drain();
    await env.cleanup();
  }
}

/** Starts an engine and applies `events` UCI-shaped orders; returns known, skewed user ids. */
async function loadEngine(
  natsUrl: string,
  dir: string,
  nc: Awaited<ReturnType<typeof connect>>,
  events: number,
  definitionsDir: string,
) {
  const workload = buildOrderWorkload(UCI_FILE, { events, runId: 'decide' });
  await ensureStreams(nc);
  const published = await publishWorkload(nc, workload);
  const engine = await startBenchEngine(natsUrl, join(dir, 'engine'), definitionsDir);
  await waitUntilApplied(engine, published.lastSeq, 120_000);

  // Sampling events (not customers) keeps the Zipf skew: busy customers are asked about more.
  const random = createRandom(7);
  const userIds = Array.from(
    { length: USERS_IN_PLAN },
    () => workload.userIds[Math.floor(random() * workload.userIds.length)]!,
  );
  const profiles = engine.context.store.profiles.getKeysCount();
  const description = `engine loaded with ${workload.description}; ${profiles} profiles`;
  return { engine, userIds, description };
}

/**
 * Open-loop phases rate by rate, then closed loop. Each phase runs as short
 * slices, methods taking turns (ping, decide, check, ping, ...), so that
 * bursts of noise from other work on the machine hit every method alike.
 */
function planPhases(options: DecideBenchOptions): LoadPhase[] {
  const phases: LoadPhase[] = [];
  for (const ratePerSec of options.ratesPerSec) {
    for (let round = 0; round < options.rounds; round += 1) {
      for (const method of METHODS) {
        phases.push({
          kind: 'open',
          key: `${method}@${ratePerSec}`,
          method,
          ratePerSec,
          warmupMs: round === 0 ? options.warmupMs : 0,
          durationMs: options.phaseMs / options.rounds,
        });
      }
    }
  }
  for (let round = 0; round < options.rounds; round += 1) {
    for (const method of METHODS) {
      phases.push({
        kind: 'closed',
        key: `${method}@closed`,
        method,
        concurrency: options.concurrency,
        warmupMs: round === 0 ? CLOSED_LOOP_WARMUP_MS : 0,
        durationMs: options.closedLoopMs / options.rounds,
      });
    }
  }
  return phases;
}

/** One Decide and one Check from the runner, to show the workload reads real profiles. */
async function sampleResponses(address: string, userId: string): Promise<string> {
  const decisions = createClient(DecisionService, address, { deadlineMs: 5_000 });
  const audiences = createClient(AudienceService, address, { deadlineMs: 5_000 });
  try {
    const identifier = { type: 'user_id', value: userId };
    const decision = await decisions.decide({
      placement: PLACEMENT,
      identifiers: [identifier],
      limit: DECIDE_LIMIT,
    });
    const check = await audiences.check({ audienceId: AUDIENCE_ID, identifier });
    const offers = decision.offers.map((o) => o.offerId).join(', ') || 'none';
    const decided = `Decide(${userId}) -> ${decision.profileId} [${offers}]`;
    return `sample: ${decided}; Check -> ${check.member}`;
  } finally {
    decisions.close();
    audiences.close();
  }
}

function summarize(
  options: DecideBenchOptions,
  results: MeasuredPhase[],
  loaded: string,
  sample: string,
  offers: number,
): BenchResult {
  const find = (method: LoadMethod, ratePerSec?: number) =>
    results.find(
      (r) =>
        r.phase.method === method &&
        (ratePerSec === undefined
          ? r.phase.kind === 'closed'
          : r.phase.kind === 'open' && r.phase.ratePerSec === ratePerSec),
    )!;

  const rows: BenchRow[] = [];
  for (const method of ['decide', 'check'] as const) {
    const target = TARGETS[method];
    for (const rate of options.ratesPerSec) {
      const ours = find(method, rate).latency.p99Ms;
      const reference = find('ping', rate).latency.p99Ms;
      const figure = `${method} p99 @ ${formatNumber(rate)}/s, ${offers} offers`;
      rows.push(
        row(figure, 'ms', ours, reference, { op: '<=', ratio: target.p99 }, target.quietP99),
      );
    }
    const ours = find(method).achievedPerSec;
    const reference = find('ping').achievedPerSec;
    const figure = `${method} max throughput, ${offers} offers`;
    rows.push(row(figure, 'req/s', ours, reference, { op: '>=', ratio: target.throughput }));
  }

  const rates = options.ratesPerSec.map((r) => formatNumber(r)).join(' and ');
  const seconds = (ms: number) => `${ms / 1_000} s`;
  return {
    name: 'decide and audience check vs. no-op Ping (same grpc-js server)',
    workload: [
      loaded,
      `open loop from a child process: ${rates} req/s, ${seconds(options.warmupMs)} warm-up + ` +
        `${seconds(options.phaseMs)} per method; latency from each request's due time`,
      `closed loop: ${options.concurrency} in flight for ${seconds(options.closedLoopMs)}`,
      `Decide(placement ${PLACEMENT}, user_id, limit ${DECIDE_LIMIT}); ` +
        `Check(${AUDIENCE_ID}, user_id); Ping(empty payload)`,
      sample,
    ],
    rows,
    details: phaseTable(results, offers),
    raw: results,
  };
}

function phaseTable(results: MeasuredPhase[], offers: number) {
  const ms = (value: number) => value.toFixed(2);
  return {
    headers: [
      'method',
      'load',
      'sent',
      'ok',
      'err',
      'achieved/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'send lag p99',
      'gen cpu',
      'gen loop max',
      'srv cpu',
      'srv us/req',
      'srv loop max',
    ],
    rows: results.map((r) => [
      `${LOAD_METHODS[r.phase.method]} (${offers} offers)`,
      r.phase.kind === 'open'
        ? `open ${formatNumber(r.phase.ratePerSec)}/s`
        : `closed x${r.phase.concurrency}`,
      formatNumber(r.sent),
      formatNumber(r.ok),
      r.errors === 0 ? '0' : `${r.errors} ${JSON.stringify(r.errorKinds)}`,
      formatNumber(r.achievedPerSec),
      ms(r.latency.p50Ms),
      ms(r.latency.p90Ms),
      ms(r.latency.p99Ms),
      ms(r.latency.maxMs),
      r.phase.kind === 'open' ? ms(r.sendLag.p99Ms) : '-',
      `${r.generator.cpuPercent.toFixed(0)}%`,
      ms(r.generator.loopDelayMaxMs),
      `${r.server.cpuPercent.toFixed(0)}%`,
      r.server.cpuPerRequestUs.toFixed(0),
      ms(r.server.loopDelayMaxMs),
    ]),
  };
}
