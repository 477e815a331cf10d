import type { Logger } from 'pino';

/**
 * Runs `shutdown` once on the first SIGTERM or SIGINT, then exits with 0, or
 * with 1 when shutdown fails. A second signal exits at once.
 */
export function onShutdownSignal(shutdown: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutdown requested');
    shutdown().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.fatal({ err }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
