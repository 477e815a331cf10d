import type { Logger } from 'pino';

/** How a service's ordered stop is bounded; see {@link ShutdownSignals.onShutdown}. */
export interface ShutdownOptions {
  /**
   * The whole stop must end within this many milliseconds of the signal;
   * past it the process logs at fatal and exits 1, whatever step hangs.
   */
  deadlineMs: number;
}

/** Time allowed for closing the last resources once the drain is done. */
const CLOSE_MARGIN_MS = 1_000;

/**
 * The hard bound on a stop for a service whose in-flight calls get `graceMs`:
 * that grace for intake, as much again for draining, then a short margin.
 */
export function shutdownDeadlineMs(graceMs: number): number {
  return 2 * graceMs + CLOSE_MARGIN_MS;
}

/** The process's shutdown request, from SIGTERM or SIGINT. */
export interface ShutdownSignals {
  /** Aborted on the first signal; pass it to startup so it can give up early. */
  signal: AbortSignal;
  /**
   * Runs `stop` on the first signal, or at once if one already came. With
   * `options`, a stop that outlives `deadlineMs` ends the process with exit 1.
   */
  onShutdown(stop: () => Promise<unknown>, options?: ShutdownOptions): void;
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
    onShutdown(next, options) {
      stop = options ? withDeadline(next, options.deadlineMs, logger) : next;
      if (abort.signal.aborted) void stop();
    },
  };
}

/**
 * Wraps `stop` so that a step that never ends (a NATS server that stopped
 * answering, a stuck flush) cannot keep the process alive past `deadlineMs`.
 */
export function withDeadline(
  stop: () => Promise<unknown>,
  deadlineMs: number,
  logger: Logger,
): () => Promise<unknown> {
  return () => {
    const disarm = armShutdownDeadline(deadlineMs, logger);
    return stop().finally(disarm);
  };
}

/**
 * Exits the process with code 1 (after a fatal log line) unless the returned
 * `disarm` is called within `deadlineMs`. For stops a service starts itself,
 * after a fatal fault, rather than on a signal.
 */
export function armShutdownDeadline(deadlineMs: number, logger: Logger): () => void {
  const timer = setTimeout(() => {
    logger.fatal({ deadlineMs }, 'shutdown did not finish in time; exiting');
    logger.flush();
    process.exit(1);
  }, deadlineMs);
  // The timer must not be what keeps an otherwise finished process alive.
  timer.unref();
  return () => clearTimeout(timer);
}
