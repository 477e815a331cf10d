import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@pulse/nats';
import { REPO_ROOT, waitFor } from './index.js';
import type { TestEnv } from './index.js';
import { engineEnv } from './stack.js';
import type { EngineEnv } from './stack.js';

/** A service (engine or collector) in a child process, for tests that kill it. */
export interface EngineProcess {
  child: ChildProcess;
  grpcPort: number;
  /** What it logged, for failure messages. */
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/**
 * Starts `services/engine/src/main.ts` under `node --import tsx` (no wrapper
 * process, so a signal reaches the engine itself) and waits until it logs
 * that it is ready.
 */
export async function spawnEngine(env: TestEnv, extra: EngineEnv = {}): Promise<EngineProcess> {
  const grpcPort = await freePort();
  const vars = { ...engineEnv(env, extra), PULSE_GRPC_PORT: String(grpcPort) };
  return spawnService('services/engine/src/main.ts', vars, '"engine ready"', grpcPort);
}

/** Starts a collector in a child process with NATS intake on the test's server. */
export async function spawnCollector(
  env: TestEnv,
  extra: Record<string, string> = {},
): Promise<EngineProcess> {
  const grpcPort = await freePort();
  const vars = {
    NATS_URL: env.nats.url,
    PULSE_COLLECTOR_GRPC_PORT: String(grpcPort),
    PULSE_COLLECTOR_METRICS_PORT: '0',
    ...extra,
  };
  return spawnService('services/collector/src/main.ts', vars, '"collector ready"', grpcPort);
}

async function spawnService(
  script: string,
  vars: Record<string, string>,
  readyText: string,
  grpcPort: number,
): Promise<EngineProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 1_000_000) output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`${script} exited early:\n${output}`);
    return output.includes(readyText) ? true : undefined;
  }, 30_000);
  return { child, grpcPort, output: () => output, exited };
}
