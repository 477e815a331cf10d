import type { DistinctCountDefinition } from '../definitions.js';
import { countDistinct } from '../internal/distinct-counter.js';
import { TOO_OLD, bucketSlot, deadBucketCount, mergeBuckets } from '../internal/buckets.js';
import { dropFront, insertAt, insertUnique, unionSorted } from '../internal/sorted.js';
import type { HashBucketsState } from '../state.js';
import { firstReadIndex, lastReadBucket, spanFor } from './bucket-window.js';

/** A new, empty distinct-count state for the definition with `fingerprint`. */
export function newHashState(fingerprint: number): HashBucketsState {
  return { fingerprint, buckets: [], hashes: [] };
}

/**
 * Records value hash `hash` in `bucket`. Returns whether the state changed;
 * a bucket too old to ever be read again is ignored.
 */
export function addHash(
  state: HashBucketsState,
  bucket: number,
  hash: number,
  span: number,
): boolean {
  const { buckets, hashes } = state;
  const slot = bucketSlot(buckets, bucket, span);
  if (slot === TOO_OLD) return false;
  if (slot >= 0) return insertUnique(hashes[slot] as number[], hash);

  const at = -slot - 1;
  if (at === buckets.length) {
    buckets.push(bucket);
    hashes.push([hash]);
    const dead = deadBucketCount(buckets, span);
    if (dead > 0) {
      dropFront(buckets, dead);
      dropFront(hashes, dead);
    }
  } else {
    insertAt(buckets, at, bucket);
    insertAt(hashes, at, [hash]);
  }
  return true;
}

/**
 * Distinct values across the buckets a read at `atMs` covers: the size of the
 * union of their hash sets (exact up to 32-bit hash collisions).
 */
export function readDistinct(
  state: HashBucketsState | undefined,
  def: DistinctCountDefinition,
  atMs: number,
): number {
  if (state === undefined) return 0;
  const { buckets, hashes } = state;
  const from = firstReadIndex(buckets, def, atMs);
  const last = lastReadBucket(def, atMs);
  let to = from;
  while (to < buckets.length && (buckets[to] as number) <= last) to++;

  if (to - from <= 1) return to === from ? 0 : (hashes[from] as number[]).length;
  return countDistinct(hashes, from, to);
}

/** Merges `from` into `into`, uniting the hash sets of shared buckets. */
export function mergeDistinct(
  into: HashBucketsState,
  from: HashBucketsState,
  def: DistinctCountDefinition,
): void {
  const merged = mergeBuckets(
    { buckets: into.buckets, cells: into.hashes },
    { buckets: from.buckets, cells: from.hashes },
    unionSorted,
    (y) => y.slice(),
  );
  const dead = deadBucketCount(merged.buckets, spanFor(def));
  into.buckets = merged.buckets.slice(dead);
  into.hashes = merged.cells.slice(dead);
}
