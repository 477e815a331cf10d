import { join } from 'node:path';
import { ensureNatsServerInstalled, startLocalNatsServer } from '@pulse/nats';

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
  ensureNatsServerInstalled(say);
  const server = await startLocalNatsServer({ storeDir: join(dataDir, 'nats') });
  say(`started nats-server with JetStream at ${server.url} (data in ${join(dataDir, 'nats')})`);
  return { url: server.url, local: true, stop: () => server.stop() };
}
