import type { Logger } from 'pino';

/** The process's shutdown request, from SIGTERM or SIGINT. */
export interface ShutdownSignals {
  /** Aborted on the first signal; pass it to startup so it can give up early. */
  signal: AbortSignal;
  /** Runs `stop` on the first signal, or at once if one already came. */
  onShutdown(stop: () => Promise<unknown>): void;
}

/**
 * Takes SIGTERM and SIGINT from the first moment of a service's life: during
 * startup they abort `signal`, once running they start the ordered stop. A
 * second signal exits at once.
 */
export function watchShutdownSignals(logger: Logger): ShutdownSignals {
  const abort = new AbortController();
  let stop: (() => Promise<unknown>) | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutdown requested');
    abort.abort();
    void stop?.();
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
  return {
    signal: abort.signal,
    onShutdown(next) {
      stop = next;
      if (abort.signal.aborted) void next();
    },
  };
}
