import { DAY_MS, HOUR_MS, MINUTE_MS } from './duration.js';

/** Bucket sizes tried, smallest first, when a definition gives none. */
export const BUCKET_STEPS_MS: readonly number[] = [
  MINUTE_MS,
  5 * MINUTE_MS,
  15 * MINUTE_MS,
  HOUR_MS,
  6 * HOUR_MS,
  DAY_MS,
];

/** The default bucket size keeps a window at or under this many buckets. */
export const MAX_DEFAULT_BUCKETS_PER_WINDOW = 180;

/**
 * The smallest of 1m, 5m, 15m, 1h, 6h, 1d that splits `windowMs` into at most
 * 180 buckets (1h→1m, 24h→15m, 7d→1h, 30d→6h, 90d→1d); 1d past that.
 */
export function defaultBucketMs(windowMs: number): number {
  for (const stepMs of BUCKET_STEPS_MS) {
    if (windowMs / stepMs <= MAX_DEFAULT_BUCKETS_PER_WINDOW) return stepMs;
  }
  return DAY_MS;
}

/** Index of the epoch-aligned bucket `[kB, (k+1)B)` holding `timeMs`. */
export function bucketIndex(timeMs: number, bucketMs: number): number {
  return Math.floor(timeMs / bucketMs);
}

/**
 * First bucket a read at `atMs` covers: the lowest k with (k+1)B > atMs − W.
 */
export function firstBucketAt(atMs: number, windowMs: number, bucketMs: number): number {
  return Math.floor((atMs - windowMs) / bucketMs);
}

/** Last bucket a read at `atMs` covers: the highest k with kB < atMs. */
export function lastBucketAt(atMs: number, bucketMs: number): number {
  return Math.ceil(atMs / bucketMs) - 1;
}

/**
 * How far before the newest event reads stay exact. Events may be stamped up
 * to a day ahead of the clock (the collector's future-skew limit), so one
 * early-dated event must not prune what a read at the true now still needs.
 */
export const READ_GRACE_MS = 86_400_000;

/**
 * How many buckets before the newest one are kept: every bucket a read at an
 * instant no earlier than `newest event − READ_GRACE_MS` can see. Buckets
 * below `newest − span` are dead.
 */
export function retainedSpan(windowMs: number, bucketMs: number): number {
  return Math.ceil((windowMs + READ_GRACE_MS) / bucketMs);
}

/** The instant at which bucket k stops counting: (k+1)B + W. */
export function bucketExitMs(bucket: number, windowMs: number, bucketMs: number): number {
  return (bucket + 1) * bucketMs + windowMs;
}
