import { parseArgs } from 'node:util';

/** The benchmarks `run.ts` knows, in the order they run. */
export const BENCHMARKS = [
  'ingest',
  'decode',
  'identity',
  'intake',
  'decide',
  'profile-read',
  'windows',
  'audience',
  'partitions',
  'freshness',
  'mixed',
  'memory',
] as const;

/** What runs without `--only`: all but `audience`, whose 1M profiles take minutes to write. */
const DEFAULT_BENCHMARKS: readonly BenchmarkName[] = [
  'ingest',
  'decode',
  'identity',
  'intake',
  'decide',
  'profile-read',
  'windows',
  'freshness',
  'mixed',
];

/** The benchmarks that start their own nats-server. */
export const NATS_BENCHMARKS: readonly BenchmarkName[] = [
  'ingest',
  'identity',
  'intake',
  'decide',
  'audience',
  'partitions',
  'freshness',
  'mixed',
  'memory',
];

export type BenchmarkName = (typeof BENCHMARKS)[number];

/** Settings of one bench run, from argv first, then `PULSE_BENCH_*` variables. */
export interface ResolvedBenchOptions {
  only: readonly BenchmarkName[];
  quick: boolean;
  /** Events published for the ingest benchmark. */
  ingestEvents: number;
  /** Customers the ingest benchmark's orders go to, with Zipf skew. */
  ingestCustomers: number;
  /** Copies of the UCI file in the identity benchmark. */
  identityUciCopies: number;
  /** People (8 events, 2 merges each) in the identity benchmark's merge stream. */
  identityPeople: number;
  /** Events sent through each intake path (HTTP, gRPC, NATS). */
  intakeEvents: number;
  /** Events loaded into the engine before the decide benchmark. */
  decideProfileEvents: number;
  /** Offered rates of the open-loop phases, in requests per second. */
  ratesPerSec: readonly number[];
  warmupMs: number;
  /** Measured part of each open-loop phase. */
  phaseMs: number;
  /** Requests in flight during the closed-loop throughput test. */
  concurrency: number;
  closedLoopMs: number;
  /** Slices each decide phase is cut into, methods taking turns. */
  rounds: number;
  /** Unrecorded calls per method before the decide phases. */
  primeCalls: number;
  /** Customers the profile-read orders go to; about this many profiles result. */
  profiles: number;
  /** Measured time of each profile-read mode, split over `rounds` turns. */
  readPhaseMs: number;
  /** Redis server of the profile-read reference. @default redis://127.0.0.1:6379 */
  redisUrl: string;
  /** Events per window size in the windows benchmark. */
  windowEvents: number;
  /** Timed runs per side and window size; the best counts. */
  windowRuns: number;
  /** Profiles generated into LMDB for the audience benchmark. */
  audienceProfiles: number;
  /** Events published in each run of the partitions benchmark. */
  partitionEvents: number;
  /** Background event rates of the freshness phases, events per second. */
  freshnessRates: readonly number[];
  /** Store sizes of the memory benchmark, the reference first. */
  memoryProfiles: readonly number[];
  /** Where the JSON results go; a file under the OS temp dir by default. */
  jsonPath: string | undefined;
  /** Folder for a CPU profile of each benchmark (see cpu-profile.ts); none when undefined. */
  cpuProfileDir: string | undefined;
}

type Defaults = Omit<
  ResolvedBenchOptions,
  'only' | 'quick' | 'ratesPerSec' | 'jsonPath' | 'redisUrl' | 'cpuProfileDir'
>;

/** About 8 minutes on a 2-core machine. */
const FULL_DEFAULTS: Defaults = {
  ingestEvents: 100_000,
  ingestCustomers: 10_000,
  identityUciCopies: 5,
  identityPeople: 10_000,
  intakeEvents: 60_000,
  decideProfileEvents: 20_000,
  warmupMs: 1_000,
  phaseMs: 3_000,
  concurrency: 32,
  closedLoopMs: 3_000,
  rounds: 5,
  primeCalls: 2_000,
  profiles: 100_000,
  readPhaseMs: 6_000,
  windowEvents: 300_000,
  windowRuns: 5,
  audienceProfiles: 1_000_000,
  partitionEvents: 50_000,
  freshnessRates: [1_000, 2_000, 10_000],
  memoryProfiles: [100_000, 1_000_000],
};

/** About 35 seconds: a smoke test of the figures, noisier. */
const QUICK_DEFAULTS: Defaults = {
  ingestEvents: 20_000,
  ingestCustomers: 10_000,
  identityUciCopies: 2,
  identityPeople: 3_000,
  intakeEvents: 10_000,
  decideProfileEvents: 5_000,
  warmupMs: 300,
  phaseMs: 1_000,
  concurrency: 32,
  closedLoopMs: 1_000,
  rounds: 2,
  primeCalls: 500,
  profiles: 10_000,
  readPhaseMs: 1_500,
  windowEvents: 60_000,
  windowRuns: 2,
  audienceProfiles: 20_000,
  partitionEvents: 10_000,
  freshnessRates: [500, 2_000],
  memoryProfiles: [10_000, 100_000],
};

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** One-line help for `--help` and bad options. */
export const USAGE = `usage: npm run bench -- [--only ingest,decode,identity,intake,decide,profile-read,windows,audience,partitions,freshness,mixed,memory]
  [--quick] [--events N] [--customers N] [--intake-events N] [--profiles N] [--audience-profiles N] [--rates 1000,2000] [--phase-ms 5000] [--warmup-ms 1000]
  [--concurrency 32] [--redis-url URL] [--json FILE] [--cpu-profile DIR]`;

/** Reads options from `argv` and `env`; throws a TypeError naming the bad option. */
export function resolveBenchOptions(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): ResolvedBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean' },
      events: { type: 'string' },
      customers: { type: 'string' },
      'intake-events': { type: 'string' },
      rates: { type: 'string' },
      'phase-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      concurrency: { type: 'string' },
      profiles: { type: 'string' },
      'audience-profiles': { type: 'string' },
      'redis-url': { type: 'string' },
      json: { type: 'string' },
      'cpu-profile': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? env.PULSE_BENCH_QUICK === '1';
  const defaults = quick ? QUICK_DEFAULTS : FULL_DEFAULTS;
  const pick = (flag: string | undefined, name: string) => flag ?? env[`PULSE_BENCH_${name}`];
  const int = (flag: string | undefined, name: string, fallback: number) =>
    readInt(pick(flag, name.toUpperCase().replace('-', '_')), name, fallback);

  return Object.freeze({
    ...defaults,
    only: readOnly(pick(values.only, 'ONLY')),
    quick,
    ingestEvents: int(values.events, 'events', defaults.ingestEvents),
    ingestCustomers: int(values.customers, 'customers', defaults.ingestCustomers),
    intakeEvents: int(values['intake-events'], 'intake-events', defaults.intakeEvents),
    ratesPerSec: readRates(pick(values.rates, 'RATES')),
    warmupMs: int(values['warmup-ms'], 'warmup-ms', defaults.warmupMs),
    phaseMs: int(values['phase-ms'], 'phase-ms', defaults.phaseMs),
    concurrency: int(values.concurrency, 'concurrency', defaults.concurrency),
    profiles: int(values.profiles, 'profiles', defaults.profiles),
    audienceProfiles: int(
      values['audience-profiles'],
      'audience-profiles',
      defaults.audienceProfiles,
    ),
    redisUrl: pick(values['redis-url'], 'REDIS_URL') ?? DEFAULT_REDIS_URL,
    jsonPath: pick(values.json, 'JSON'),
    cpuProfileDir: pick(values['cpu-profile'], 'CPU_PROFILE'),
  });
}

function readOnly(text: string | undefined): BenchmarkName[] {
  if (!text) return [...DEFAULT_BENCHMARKS];
  const names = text.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) {
      throw new TypeError(`'--only' must list ${BENCHMARKS.join(', ')}; got '${name}'`);
    }
  }
  return BENCHMARKS.filter((name) => names.includes(name));
}

function readRates(text: string | undefined): number[] {
  if (!text) return [1_000, 2_000];
  return text.split(',').map((part) => readInt(part.trim(), 'rates', 0));
}

function readInt(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`'--${option}' must be a positive integer; got '${text}'`);
  }
  return value;
}
