/**
 * Benchmark modules that run as child processes of the runner (the load
 * generator, the profile reader): how they are forked and how they refuse to
 * run on their own.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../harness/index.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Forks `file` of tests/bench under tsx, with an IPC channel and the runner's output. */
export function forkBenchChild(file: string): ChildProcess {
  return fork(join(BENCH_DIR, file), [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Exits with status 2 unless this process was forked with an IPC channel. */
export function requireBenchParent(file: string, parent: string): void {
  if (process.send) return;
  console.error(`${file} runs as a child of ${parent} (it needs an IPC channel)`);
  process.exit(2);
}
