import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@pulse/nats';
import { REPO_ROOT, waitFor } from './index.js';
import type { TestEnv } from './index.js';
import { engineEnv } from './stack.js';
import type { EngineEnv } from './stack.js';

/** An engine in a child process, for tests that kill it. */
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
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'services/engine/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...engineEnv(env, extra), PULSE_GRPC_PORT: String(grpcPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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
    if (child.exitCode !== null) throw new Error(`engine exited early:\n${output}`);
    return output.includes('"engine ready"') ? true : undefined;
  }, 30_000);
  return { child, grpcPort, output: () => output, exited };
}
