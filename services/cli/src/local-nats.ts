import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hasNatsServer, startLocalNatsServer } from '@pulse/nats';

/** A NATS URL to use, and how to release it when done. */
export interface NatsEndpoint {
  url: string;
  /** True when this process started the server. */
  local: boolean;
  stop(): Promise<void>;
}

/**
 * Uses `NATS_URL` when set; otherwise starts a local `nats-server` with
 * JetStream in `dataDir/nats`, installing it through apt-get when it is
 * missing and this process may (root on Debian or Ubuntu).
 */
export async function ensureNats(
  dataDir: string,
  say: (line: string) => void,
): Promise<NatsEndpoint> {
  const url = process.env.NATS_URL;
  if (url) return { url, local: false, stop: async () => {} };
  if (!hasNatsServer()) installNatsServer(say);
  const server = await startLocalNatsServer({ storeDir: join(dataDir, 'nats') });
  say(`started nats-server with JetStream at ${server.url} (data in ${join(dataDir, 'nats')})`);
  return { url: server.url, local: true, stop: () => server.stop() };
}

function installNatsServer(say: (line: string) => void): void {
  const canInstall = process.getuid?.() === 0 && hasCommand('apt-get');
  if (!canInstall) {
    throw new Error(
      'nats-server is not on PATH: install it (apt-get install nats-server, or a release from ' +
        'the NATS project) or set NATS_URL to a server with JetStream enabled',
    );
  }
  say('nats-server is not installed; installing it with apt-get');
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'nats-server'],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  }
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
