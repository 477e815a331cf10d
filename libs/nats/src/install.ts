import { spawnSync } from 'node:child_process';
import { hasNatsServer } from './local-server.js';

/**
 * Makes sure `nats-server` is on PATH, installing Debian's package with
 * apt-get when it is missing and this process may (root, apt-get present).
 * Throws with what to do otherwise.
 */
export function ensureNatsServerInstalled(say: (line: string) => void): void {
  if (hasNatsServer()) return;
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
