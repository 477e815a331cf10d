import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalNatsServer } from '@pulse/nats';
import type { LocalNatsServer } from '@pulse/nats';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared real-data folder beside the repository. */
export const SHARED_DATA_DIR = resolve(REPO_ROOT, '../shared/data');

/** The UCI Online Retail file the main job runs on. */
export const UCI_FILE = join(SHARED_DATA_DIR, 'uci_online_retail_2010-12.csv');

/** A real nats-server on a free port with its own JetStream folder, and a temp dir. */
export interface TestEnv {
  nats: LocalNatsServer;
  dir: string;
  cleanup(): Promise<void>;
}

/** Starts an isolated nats-server and a temporary folder for LMDB and logs. */
export async function setup(prefix = 'pulse-test-'): Promise<TestEnv> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const nats = await startLocalNatsServer({ storeDir: join(dir, 'jetstream') });
  return {
    nats,
    dir,
    async cleanup() {
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value that is not undefined, or times out. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
