import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { LocalServerError } from './errors.js';

/** Options for {@link startLocalNatsServer}. */
export interface LocalNatsServerOptions {
  /** JetStream's storage directory; created when missing. */
  storeDir: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default 'nats-server' on PATH */
  binary?: string;
  /** @default 15_000 */
  startTimeoutMs?: number;
  /** More `nats-server` arguments, e.g. `--tls --tlscert cert.pem --tlskey key.pem`. */
  extraArgs?: readonly string[];
}

/** A `nats-server` child process with JetStream, owned by the caller. */
export interface LocalNatsServer extends AsyncDisposable {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** True when a `nats-server` binary can be run. */
export function hasNatsServer(binary = 'nats-server'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Asks the OS for a port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `nats-server -js` on loopback with its own store directory and
 * resolves once it accepts clients. For development, demos and tests.
 */
export async function startLocalNatsServer(
  options: LocalNatsServerOptions,
): Promise<LocalNatsServer> {
  mkdirSync(options.storeDir, { recursive: true });
  const port = options.port || (await freePort());
  const binary = options.binary ?? 'nats-server';
  const args = ['-js', '-sd', options.storeDir, '-a', '127.0.0.1', '-p', String(port)];
  args.push(...(options.extraArgs ?? []));
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // Never outlive this process, however it ends (an exception, a closed pipe).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  await waitUntilReady(child, options.startTimeoutMs ?? 15_000);
  const stop = async () => {
    process.off('exit', killOnExit);
    await stopChild(child);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process: child,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function waitUntilReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new LocalServerError(`nats-server not ready after ${timeoutMs} ms`, output));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new LocalServerError('nats-server could not be started', output, { cause: err }));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new LocalServerError(`nats-server exited with code ${code}`, output));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve();
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
