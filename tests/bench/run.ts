/**
 * Pulse benchmarks: `npm run bench` (all), `npm run bench -- --quick`,
 * `npm run bench -- --only decide`. Each prints its figure beside a reference
 * measured in the same run and the ratio the design targets; all results go
 * to a JSON file under the OS temp dir (or `--json FILE`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { hasNatsServer } from '@pulse/nats';
import { runAudienceBench } from './audience.bench.js';
import { withCpuProfile } from './cpu-profile.js';
import { runDecideBench } from './decide.bench.js';
import { runDecodeBench } from './decode.bench.js';
import { runIdentityBench } from './identity.bench.js';
import { runIngestBench } from './ingest.bench.js';
import { runIntakeBench } from './intake.bench.js';
import { NATS_BENCHMARKS, USAGE, resolveBenchOptions } from './options.js';
import type { BenchmarkName, ResolvedBenchOptions } from './options.js';
import { runFreshnessBench } from './freshness.bench.js';
import { runMemoryBench } from './memory.bench.js';
import { runMixedBench } from './mixed.bench.js';
import { runPartitionsBench } from './partitions.bench.js';
import { runProfileReadBench } from './profile-read.bench.js';
import { meets, printResult, writeJson } from './report.js';
import type { BenchResult } from './report.js';
import { runWindowsBench } from './windows.bench.js';

const RUNNERS: Record<BenchmarkName, (options: ResolvedBenchOptions) => Promise<BenchResult>> = {
  ingest: (o) => runIngestBench({ events: o.ingestEvents, customers: o.ingestCustomers }),
  decode: (o) => runDecodeBench({ events: o.ingestEvents, rounds: o.rounds }),
  identity: (o) =>
    runIdentityBench({ uciCopies: o.identityUciCopies, mergePeople: o.identityPeople }),
  intake: (o) => runIntakeBench({ events: o.intakeEvents, rounds: o.rounds }),
  decide: (o) =>
    runDecideBench({
      profileEvents: o.decideProfileEvents,
      ratesPerSec: o.ratesPerSec,
      warmupMs: o.warmupMs,
      phaseMs: o.phaseMs,
      concurrency: o.concurrency,
      closedLoopMs: o.closedLoopMs,
      rounds: o.rounds,
      primeCalls: o.primeCalls,
    }),
  'profile-read': (o) =>
    runProfileReadBench({
      profiles: o.profiles,
      phaseMs: o.readPhaseMs,
      rounds: o.rounds,
      redisUrl: o.redisUrl,
    }),
  windows: (o) => runWindowsBench({ events: o.windowEvents, runs: o.windowRuns }),
  audience: (o) =>
    runAudienceBench({
      profiles: o.audienceProfiles,
      ratesPerSec: o.ratesPerSec,
      warmupMs: o.warmupMs,
      phaseMs: o.phaseMs,
      primeCalls: o.primeCalls,
    }),
  memory: (o) => runMemoryBench({ profiles: o.memoryProfiles }),
  mixed: (o) =>
    runMixedBench({
      profileEvents: o.decideProfileEvents,
      decideRate: o.quick ? 300 : 400,
      ingestRate: o.quick ? 1_000 : 1_500,
      warmupMs: o.warmupMs,
      phaseMs: o.quick ? o.phaseMs * 3 : o.phaseMs,
      rounds: o.quick ? 1 : 3,
    }),
  freshness: (o) =>
    runFreshnessBench({
      ratesPerSec: o.freshnessRates,
      warmupMs: o.warmupMs,
      phaseMs: o.quick ? o.phaseMs * 3 : o.phaseMs,
    }),
  partitions: (o) =>
    runPartitionsBench({
      events: o.partitionEvents,
      engines: 3,
      partitions: 6,
      decideRate: 200,
      warmupMs: o.warmupMs,
      phaseMs: o.phaseMs * 3,
    }),
};

async function main(): Promise<number> {
  const options = resolveBenchOptions();
  const needsNats = options.only.some((name) => NATS_BENCHMARKS.includes(name));
  if (needsNats && !hasNatsServer()) {
    console.error('nats-server is not on PATH; the benchmarks need a real one');
    return 2;
  }
  const started = performance.now();
  console.log(`pulse bench: ${options.only.join(', ')}${options.quick ? ' (quick)' : ''}`);
  const machineBefore = describeMachine();
  console.log(`machine: ${machineBefore}`);

  const results: BenchResult[] = [];
  const profileDir = options.cpuProfileDir;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  for (const name of options.only) {
    const run = () => RUNNERS[name](options);
    const profiled = profileDir ? await withCpuProfile(profileDir, name, run) : undefined;
    const result = profiled ? profiled.result : await run();
    printResult(result);
    profiled?.printSummary();
    results.push(result);
  }

  const rows = results.flatMap((r) => r.rows);
  const missed = rows.filter((r) => !meets(r)).length;
  const seconds = ((performance.now() - started) / 1_000).toFixed(0);
  console.log(`\n${rows.length - missed} of ${rows.length} ratio targets met in ${seconds} s`);
  const machineAfter = describeMachine();
  console.log(`machine after: ${machineAfter}`);
  const context = { options, machineBefore, machineAfter };
  console.log(`results: ${writeJson(results, options.jsonPath, context)}`);
  return 0;
}

/**
 * CPUs, load average and, where Linux reports it, CPU pressure: the share of
 * time some runnable task waited for a CPU. High pressure means other work
 * on the machine shaped the figures; the ratios are what to read then.
 */
function describeMachine(): string {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  let pressure = '';
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8').match(
      /^some avg10=([\d.]+) avg60=([\d.]+)/,
    );
    if (some) pressure = `, CPU pressure ${some[1]}% (10 s) ${some[2]}% (60 s)`;
  } catch {
    // Not Linux, or PSI is off: the load average has to do.
  }
  return `${cpus().length} CPUs, load ${load}${pressure}`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A TypeError here is a bad option: its message is the whole story.
    console.error(err instanceof TypeError ? `${err.message}\n${USAGE}` : err);
    process.exit(err instanceof TypeError ? 2 : 1);
  },
);
