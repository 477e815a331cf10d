import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@pulse/nats';
import { REPO_ROOT, waitFor } from '../harness/index.js';

/** A collector in its own process, so the load generator does not share its event loop. */
export interface CollectorProcess {
  child: ChildProcess;
  httpPort: number;
  grpcPort: number;
  stop(): Promise<void>;
}

/** Starts `services/collector/src/main.ts` with HTTP intake on for `writeKey` → `source`. */
export async function spawnCollector(
  natsUrl: string,
  writeKey: string,
  source: string,
): Promise<CollectorProcess> {
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    NATS_URL: natsUrl,
    PULSE_WRITE_KEYS: `${writeKey}:${source}`,
    PULSE_COLLECTOR_HTTP_HOST: '127.0.0.1',
    PULSE_COLLECTOR_HTTP_PORT: String(httpPort),
    PULSE_COLLECTOR_GRPC_HOST: '127.0.0.1',
    PULSE_COLLECTOR_GRPC_PORT: String(grpcPort),
    PULSE_COLLECTOR_METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
  };
  const main = join(REPO_ROOT, 'services/collector/src/main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`collector exited early:\n${output}`);
    return output.includes('"collector ready"') ? true : undefined;
  }, 30_000);
  return {
    child,
    httpPort,
    grpcPort,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
