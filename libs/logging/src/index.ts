import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Levels a service accepts in `LOG_LEVEL`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options for the one root logger a service builds at startup. */
export interface RootLoggerOptions {
  /** The service name, bound as `service` on every line. */
  service: string;
  /** @default 'info' */
  level?: LogLevel;
  /** Where lines go; standard output when unset. */
  destination?: pino.DestinationStream;
}

/**
 * Paths that may hold personal data; pino replaces their values in logs.
 * Identifier values and traits stay out of log lines unless nested here.
 */
export const REDACTED_PATHS = [
  'email',
  'phone',
  '*.email',
  '*.phone',
  'traits',
  '*.traits',
  'identifier.value',
  'identifiers[*].value',
];

/**
 * Builds a service's root logger: JSON lines, ISO times, personal data
 * redacted. Components take `logger.child({ component })` from it.
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that drops everything, for tests and tools that want quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
