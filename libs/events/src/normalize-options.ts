import { assertZone } from './internal/zone.js';

/** Default tolerance for event times ahead of receipt: 24 hours, in ms. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/** Options of `normalizeEvent` and `validateEvent`. */
export interface NormalizeOptions {
  /** Name of the source (shop, app, importer) that sent the event. */
  source: string;
  /** When the collector accepted the event, in epoch ms. */
  receivedAtMs: number;
  /**
   * How far an event time may lie ahead of `receivedAtMs`, in ms.
   * @default 86_400_000 (24 hours)
   */
  maxFutureSkewMs?: number;
  /**
   * IANA zone for ISO date-times that carry no `Z` or offset.
   * @default 'UTC'
   */
  defaultZone?: string;
  /**
   * ISO 3166 region (`GB`, `US`) phone numbers without a country code are
   * read in; without it only international numbers become identifiers.
   * @default ''
   */
  phoneRegion?: string;
}

/** {@link NormalizeOptions} checked and with defaults applied. */
export type ResolvedNormalizeOptions = Readonly<Required<NormalizeOptions>>;

/**
 * Checks caller options: throws `TypeError` for a wrong shape and
 * `RangeError` for an unusable value, since these are the caller's bugs.
 */
export function resolveNormalizeOptions(options: NormalizeOptions): ResolvedNormalizeOptions {
  const { source, receivedAtMs } = options;
  const maxFutureSkewMs = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  const defaultZone = options.defaultZone ?? 'UTC';
  const phoneRegion = (options.phoneRegion ?? '').trim().toUpperCase();
  if (phoneRegion !== '' && !/^[A-Z]{2}$/.test(phoneRegion)) {
    throw new RangeError(`'phoneRegion' must be a two-letter ISO 3166 region code`);
  }
  if (typeof source !== 'string' || source.trim() === '') {
    throw new TypeError(`'source' must be a non-empty string`);
  }
  if (!Number.isFinite(receivedAtMs)) {
    throw new TypeError(`'receivedAtMs' must be a finite number`);
  }
  if (!(maxFutureSkewMs >= 0)) {
    throw new RangeError(`'maxFutureSkewMs' must be a number >= 0`);
  }
  assertZone(defaultZone, 'defaultZone');
  return Object.freeze({
    source: source.trim(),
    receivedAtMs: Math.floor(receivedAtMs),
    maxFutureSkewMs,
    defaultZone,
    phoneRegion,
  });
}
