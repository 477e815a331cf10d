import { ensureNatsServerInstalled } from '@pulse/nats';

/**
 * Runs once before the suite: the tests spawn real nats-servers, so a fresh
 * machine gets one installed (apt-get, as root) instead of a wall of failures.
 */
export default function globalSetup(): void {
  ensureNatsServerInstalled((line) => process.stderr.write(`${line}\n`));
}
