import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveEngineConfig, startEngine } from '@pulse/engine';
import type { Engine } from '@pulse/engine';
import { silentLogger } from '@pulse/logging';
import { STREAMS } from '@pulse/nats';
import { REPO_ROOT } from '../harness/index.js';

/** The retail demo's features, audiences and offers. */
export const RETAIL_DEFINITIONS_DIR = join(REPO_ROOT, 'deploy/definitions/retail');

const POLL_INTERVAL_MS = 5;

/** Starts an in-process engine on loopback with its LMDB under `dataDir`, logging nothing. */
export async function startBenchEngine(
  natsUrl: string,
  dataDir: string,
  definitionsDir = RETAIL_DEFINITIONS_DIR,
): Promise<Engine> {
  const config = resolveEngineConfig({
    NATS_URL: natsUrl,
    PULSE_DATA_DIR: dataDir,
    PULSE_DEFINITIONS_DIR: definitionsDir,
    PULSE_GRPC_HOST: '127.0.0.1',
    PULSE_GRPC_PORT: '0',
    PULSE_METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
  });
  return startEngine(config, silentLogger());
}

/**
 * Resolves with the time `performance.now()` saw the engine's LMDB record
 * `lastSeq` of PULSE_RAW as applied. Polls every few milliseconds; the poll
 * is a single LMDB read, cheap beside a batch.
 */
export async function waitUntilApplied(
  engine: Engine,
  lastSeq: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const applied = engine.context.store.appliedSequence(STREAMS.raw);
    if (applied >= lastSeq) return performance.now();
    if (performance.now() > deadline) {
      throw new Error(`engine applied ${applied} of ${lastSeq} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
