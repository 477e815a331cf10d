/**
 * Decide in one process, for a CPU profile of the engine's decision path:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx tests/bench/decide-profile.ts [offers] [seconds]
 *
 * Loads an engine as the decide benchmark does (retail features, `offers`
 * generated offers at 'homepage', 5,000 orders), then keeps 16 Decide calls
 * in flight from a client in the same process for `seconds`, and prints the
 * process CPU time per decision (client included, so read it beside the
 * benchmark's `srv us/req`). The engine applies its own decisions from the
 * stream meanwhile, as in production.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createClient } from '@pulse/grpc';
import { ensureStreams, STREAMS } from '@pulse/nats';
import { DecisionService } from '@pulse/proto';
import { UCI_FILE, setup } from '../harness/index.js';
import { startBenchEngine, waitUntilApplied } from './engine-fixture.js';
import { writeOfferCatalogue } from './offer-catalogue.js';
import { buildOrderWorkload } from './order-workload.js';
import { publishWorkload } from './publish-events.js';

const PLACEMENT = 'homepage';
const IN_FLIGHT = 16;
const EVENTS = 5_000;

async function main(): Promise<void> {
  const offers = Number(process.argv[2] ?? 20);
  const seconds = Number(process.argv[3] ?? 5);
  const env = await setup('pulse-decide-profile-');
  const nc = await connect({ servers: env.nats.url });
  const definitions = writeOfferCatalogue(join(env.dir, 'definitions'), PLACEMENT, offers);
  const workload = buildOrderWorkload(UCI_FILE, { events: EVENTS, runId: 'profile' });
  await ensureStreams(nc);
  const published = await publishWorkload(nc, workload);
  const engine = await startBenchEngine(env.nats.url, join(env.dir, 'engine'), definitions);
  await waitUntilApplied(engine, published.lastSeq, 120_000);
  const client = createClient(DecisionService, `127.0.0.1:${engine.grpcPort}`, {
    deadlineMs: 10_000,
  });
  try {
    const { userIds } = workload;
    let calls = 0;
    const decideOnce = () =>
      client.decide({
        placement: PLACEMENT,
        identifiers: [{ type: 'user_id', value: userIds[calls++ % userIds.length]! }],
        limit: 3,
      });
    await Promise.all(Array.from({ length: 200 }, decideOnce)); // warm up

    calls = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + seconds * 1_000;
    const worker = async () => {
      while (performance.now() < deadline) await decideOnce();
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const elapsedMs = performance.now() - started;
    const jsm = await jetstreamManager(nc);
    const raw = await jsm.streams.info(STREAMS.raw);
    await waitUntilApplied(engine, raw.state.last_seq, 60_000);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuUs = cpu.user + cpu.system;
    const perSec = Math.round((calls / elapsedMs) * 1_000);
    const usPerCall = Math.round(cpuUs / calls);
    process.stdout.write(
      `${offers} offers: ${calls} decisions, ${perSec}/s, ${usPerCall} us CPU each ` +
        `(client and applying the decisions included)\n`,
    );
  } finally {
    client.close();
    await engine.stop();
    await nc.drain();
    await env.cleanup();
  }
}

await main();
