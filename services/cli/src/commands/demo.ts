import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startCollector, resolveCollectorConfig } from '@pulse/collector';
import { resolveEngineConfig, startEngine } from '@pulse/engine';
import type { Engine } from '@pulse/engine';
import { readFeatures } from '@pulse/features';
import { createClient } from '../client-security.js';
import { readUciOnlineRetail } from '@pulse/loaders';
import { createRootLogger } from '@pulse/logging';
import { STREAMS } from '@pulse/nats';
import { AudienceService, DecisionService, ProfileService } from '@pulse/proto';
import { ensureNats } from '../local-nats.js';
import { formatAudiences, formatDecision, formatNumber, formatProfile } from '../print.js';
import { createProgress } from '../progress.js';
import { publishCalls } from '@pulse/client';
import { REPO_ROOT } from '../repo-root.js';

/** Per call of the showcase; generous, since the machine has just imported a file. */
const SHOWCASE_DEADLINE_MS = 30_000;

/** Options of `pulse demo`. */
export interface DemoOptions {
  file: string;
  dataDir: string;
  verbose: boolean;
}

/** The real data file the demo reads unless told otherwise. */
export const DEFAULT_DEMO_FILE = resolve(REPO_ROOT, '../shared/data/uci_online_retail_2010-12.csv');

const SHOWCASE_AUDIENCES = ['repeat_buyers_7d', 'big_spenders_30d', 'lapsed', 'international'];

/**
 * The main job end to end on one machine: NATS, collector and engine, the
 * UCI Online Retail file imported through the collector, then customers'
 * features, their next-best offers and audience sizes read over gRPC.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  if (!existsSync(options.file)) throw new Error(missingFileMessage(options.file));
  const dataDir = resolve(options.dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // The demo says what happens in its own words; the services' logs (which
  // would warn that access control is off, as it is here) show with --verbose.
  const logger = createRootLogger({
    service: 'pulse-demo',
    level: options.verbose ? 'info' : 'error',
  });

  const nats = await ensureNats(dataDir, say);
  if (!nats.local) {
    say(`using NATS at ${nats.url}; the streams PULSE_RAW and PULSE_DLQ and the consumer`);
    say("'pulse-demo' stay there (a second run finds its events already stored)");
  }
  const engine = await startEngine(
    resolveEngineConfig({
      ...process.env,
      NATS_URL: nats.url,
      PULSE_DATA_DIR: join(dataDir, 'engine'),
      PULSE_DEFINITIONS_DIR: join(REPO_ROOT, 'deploy/definitions/retail'),
      PULSE_CLOCK: 'event',
      PULSE_CONSUMER_NAME: 'pulse-demo',
      PULSE_GRPC_PORT: '0',
      PULSE_METRICS_PORT: '0',
    }),
    logger,
  );
  const collector = await startCollector(
    resolveCollectorConfig({
      ...process.env,
      NATS_URL: nats.url,
      PULSE_COLLECTOR_GRPC_PORT: '0',
      PULSE_COLLECTOR_METRICS_PORT: '0',
    }),
    logger,
  );
  try {
    await importFile(options.file, nats.url, engine, say);
    await report(engine, say);
  } finally {
    await collector.stop();
    await engine.stop();
    await nats.stop();
  }
}

async function importFile(file: string, url: string, engine: Engine, say: (l: string) => void) {
  say(`importing ${file}`);
  const nc = await connect({ servers: url });
  const started = performance.now();
  const progress = createProgress('invoices');
  const totals = await publishCalls(readUciOnlineRetail(file), {
    nc,
    source: 'uci',
    onProgress: (_, calls) => progress.increment(calls),
  });
  progress.stop();
  const jsm = await jetstreamManager(nc);
  const lastSeq = (await jsm.streams.info(STREAMS.raw)).state.last_seq;
  const { store, clock } = engine.context;
  // Caught up: every event applied, and every audience re-check due by now done.
  while (
    store.appliedSequence(STREAMS.raw) < lastSeq ||
    store.dueRechecks(clock.now(), 1).length > 0
  ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1_000;
  await nc.close();
  say(
    `${formatNumber(totals.calls)} events sent (one order per invoice; an invoice over the ` +
      '32 KB event limit sends its other lines as Order Lines events): ' +
      `${formatNumber(totals.accepted)} accepted, ${formatNumber(totals.duplicates)} duplicates, ` +
      `${formatNumber(totals.rejected)} rejected`,
  );
  say(`sent through the collector and applied by the engine in ${seconds.toFixed(1)} s`);
  for (const r of totals.rejections) say(`  rejected: ${r.field}: ${r.reason}`);
}

async function report(engine: Engine, say: (l: string) => void): Promise<void> {
  const { store, clock, definitions } = engine.context;
  const nowMs = clock.now();
  let revenue = 0;
  let customers = 0;
  let anonymous = 0;
  for (const id of store.profileIds()) {
    const record = store.getProfile(id)!;
    const features = readFeatures(record.features as never, definitions().features, nowMs);
    revenue += (features.spend_lifetime as number) ?? 0;
    if (record.identifiers.some(([type]) => type === 'user_id')) customers += 1;
    else anonymous += 1;
  }
  say(
    `\n${formatNumber(customers + anonymous)} profiles: ${formatNumber(customers)} customers ` +
      `and ${formatNumber(anonymous)} anonymous buyers (one per invoice without a customer id)`,
  );
  say(`net revenue over all profiles: ${formatNumber(revenue)} GBP`);
  say(`clock: event time, now = ${new Date(nowMs).toISOString()} (just after the newest event)\n`);

  const address = `127.0.0.1:${engine.grpcPort}`;
  const options = { deadlineMs: SHOWCASE_DEADLINE_MS };
  const audiences = createClient(AudienceService, address, options);
  const profilesApi = createClient(ProfileService, address, options);
  const decisions = createClient(DecisionService, address, options);
  try {
    for (const audienceId of SHOWCASE_AUDIENCES) {
      const profileId = await firstMember(audiences.listMembers({ audienceId }));
      if (!profileId) continue;
      const identifier = { type: 'profile_id', value: profileId };
      const { profile } = await profilesApi.getProfile({ identifier });
      const decision = await decisions.decide({
        placement: 'homepage',
        identifiers: [identifier],
        limit: 3,
        explain: true,
      });
      say(`a customer in '${audienceId}':`);
      say(formatProfile(profile!));
      say(`${formatDecision('homepage', decision)}\n`);
    }
    say('audience sizes (live index):');
    say(formatAudiences(await audiences.listAudiences({})));
  } finally {
    audiences.close();
    profilesApi.close();
    decisions.close();
  }
}

async function firstMember(
  stream: AsyncIterable<{ profileIds: string[] }>,
): Promise<string | undefined> {
  for await (const chunk of stream) return chunk.profileIds[0];
  return undefined;
}

function missingFileMessage(file: string): string {
  return (
    `data file not found: ${file}\n` +
    'Download the UCI Online Retail data set (https://archive.ics.uci.edu/dataset/352/online+retail), ' +
    'export it as CSV with the header InvoiceNo,StockCode,Description,Quantity,InvoiceDate,' +
    'UnitPrice,CustomerID,Country, and pass it with --file.'
  );
}
