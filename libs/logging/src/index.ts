import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

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

/** Fields that hold personal data or secrets wherever they appear. */
const SENSITIVE_FIELDS = [
  // Personal data: Segment's spellings and ours.
  'email',
  'phone',
  'traits',
  'userId',
  'user_id',
  'anonymousId',
  'anonymous_id',
  'previousId',
  'ip',
  'address',
  'birthday',
  'externalIds',
  // Secrets: API keys, write keys, credentials.
  'authorization',
  'apiKey',
  'api_key',
  '["x-api-key"]',
  'writeKey',
  'password',
  'token',
] as const;

/**
 * Paths that may hold personal data or secrets; pino replaces their values
 * in logs. Each field is covered at the top level and one or two objects
 * down (`event.email`, `event.context.traits`), as are identifier values
 * (`identifier.value`, `identifiers[*].value`), request headers and the
 * offending value an error carries.
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SENSITIVE_FIELDS.flatMap((field) => {
    const tail = field.startsWith('[') ? field : `.${field}`;
    return [field.startsWith('[') ? field.slice(2, -2) : field, `*${tail}`, `*.*${tail}`];
  }),
  'identifier.value',
  '*.identifier.value',
  'identifiers[*].value',
  '*.identifiers[*].value',
  'err.value',
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
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that drops everything, for tests and tools that want quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
