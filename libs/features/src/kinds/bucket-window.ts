import type { FeatureDefinition } from '../definitions.js';
import { lowerBound } from '../internal/sorted.js';
import { bucketExitMs, bucketIndex, firstBucketAt, lastBucketAt, retainedSpan } from '../window.js';

/** Bucket of an event time for `def`; lifetime features use the single bucket 0. */
export function bucketFor(def: FeatureDefinition, timeMs: number): number {
  return def.bucketMs === null ? 0 : bucketIndex(timeMs, def.bucketMs);
}

/** Buckets kept below the newest one; `Infinity` for lifetime features. */
export function spanFor(def: FeatureDefinition): number {
  return def.windowMs === null || def.bucketMs === null
    ? Infinity
    : retainedSpan(def.windowMs, def.bucketMs);
}

/**
 * Index into ascending `buckets` of the first bucket a read at `atMs` covers;
 * readers then walk forward up to {@link lastReadBucket}.
 */
export function firstReadIndex(
  buckets: readonly number[],
  def: FeatureDefinition,
  atMs: number,
): number {
  if (def.windowMs === null || def.bucketMs === null) return 0;
  return lowerBound(buckets, firstBucketAt(atMs, def.windowMs, def.bucketMs));
}

/** Highest bucket a read at `atMs` covers; `Infinity` for lifetime features. */
export function lastReadBucket(def: FeatureDefinition, atMs: number): number {
  return def.bucketMs === null ? Infinity : lastBucketAt(atMs, def.bucketMs);
}

/**
 * The earliest instant after `afterMs` at which a bucket of `buckets` enters
 * (kB < t first holds) or leaves ((k+1)B + W <= t first holds) the window;
 * `null` for lifetime features or when nothing is pending.
 */
export function nextBucketChangeMs(
  buckets: readonly number[],
  def: FeatureDefinition,
  afterMs: number,
): number | null {
  const { windowMs, bucketMs } = def;
  if (windowMs === null || bucketMs === null || buckets.length === 0) return null;
  let next = Infinity;

  // Exit times grow with k, so the first bucket still counted or pending
  // leaves first.
  const leaving = buckets[lowerBound(buckets, firstBucketAt(afterMs, windowMs, bucketMs))];
  if (leaving !== undefined) next = bucketExitMs(leaving, windowMs, bucketMs);

  // A bucket starting at or after afterMs (future-dated events) enters one
  // millisecond past its start.
  const entering = buckets[lowerBound(buckets, Math.ceil(afterMs / bucketMs))];
  if (entering !== undefined) next = Math.min(next, entering * bucketMs + 1);

  return next === Infinity ? null : next;
}
