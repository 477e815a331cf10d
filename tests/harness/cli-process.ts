import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './index.js';

/** A `pulse` command in a child process. */
export interface CliProcess {
  child: ChildProcess;
  /** Standard output so far. */
  stdout(): string;
  /** Standard error so far. */
  stderr(): string;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/**
 * Runs `services/cli/src/main.ts` with `args` under `node --import tsx`, so
 * that a signal sent to the child reaches the CLI itself.
 */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'services/cli/src/main.ts'), ...args],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}
