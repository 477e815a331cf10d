import type { DistinctCountDefinition } from '../definitions.js';
import { TOO_OLD, bucketSlot, deadBucketCount, mergeBuckets } from '../internal/buckets.js';
import { countDistinct } from '../internal/distinct-counter.js';
import { dropFront, insertAt, lowerBound, unionSorted } from '../internal/sorted.js';
import type { HashBucketsState } from '../state.js';
import { firstReadIndex, lastReadBucket, spanFor } from './bucket-window.js';

/** A new, empty distinct-count state for the definition with `fingerprint`. */
export function newHashState(fingerprint: number): HashBucketsState {
  return { fingerprint, buckets: [], sizes: [], hashes: [] };
}

/** Start in `hashes` of bucket slot `slot`'s run, summing from the nearer end. */
function runStart(state: HashBucketsState, slot: number): number {
  const { sizes } = state;
  let offset = 0;
  if (slot <= sizes.length / 2) {
    for (let i = 0; i < slot; i++) offset += sizes[i] as number;
    return offset;
  }
  for (let i = slot; i < sizes.length; i++) offset += sizes[i] as number;
  return state.hashes.length - offset;
}

/** Inserts `hash` into the ascending run of bucket slot `slot` unless present. */
function insertIntoRun(state: HashBucketsState, slot: number, hash: number): boolean {
  const start = runStart(state, slot);
  const end = start + (state.sizes[slot] as number);
  const at = lowerBound(state.hashes, hash, start, end);
  if (at < end && state.hashes[at] === hash) return false;
  insertAt(state.hashes, at, hash);
  state.sizes[slot] = (state.sizes[slot] as number) + 1;
  return true;
}

/** Drops whole buckets that fell out of reach behind the newest one. */
function prune(state: HashBucketsState, span: number): void {
  const dead = deadBucketCount(state.buckets, span);
  if (dead === 0) return;
  let deadHashes = 0;
  for (let i = 0; i < dead; i++) deadHashes += state.sizes[i] as number;
  dropFront(state.hashes, deadHashes);
  dropFront(state.buckets, dead);
  dropFront(state.sizes, dead);
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
  const { buckets, sizes, hashes } = state;
  const slot = bucketSlot(buckets, bucket, span);
  if (slot === TOO_OLD) return false;
  if (slot >= 0) return insertIntoRun(state, slot, hash);

  const at = -slot - 1;
  if (at === buckets.length) {
    buckets.push(bucket);
    sizes.push(1);
    hashes.push(hash);
    prune(state, span);
  } else {
    insertAt(hashes, runStart(state, at), hash);
    insertAt(buckets, at, bucket);
    insertAt(sizes, at, 1);
  }
  return true;
}

/**
 * Distinct values across the buckets a read at `atMs` covers: the size of the
 * union of their hash runs (exact up to 32-bit hash collisions).
 */
// TODO(features): past a few thousand hashes per window, switch a feature to a
// HyperLogLog sketch so state stays bounded (#8).
export function readDistinct(
  state: HashBucketsState | undefined,
  def: DistinctCountDefinition,
  atMs: number,
): number {
  if (state === undefined) return 0;
  const { buckets, sizes } = state;
  const from = firstReadIndex(buckets, def, atMs);
  const last = lastReadBucket(def, atMs);
  let to = from;
  let count = 0;
  for (; to < buckets.length && (buckets[to] as number) <= last; to++) {
    count += sizes[to] as number;
  }
  if (to - from <= 1) return count;
  const start = runStart(state, from);
  return countDistinct(state.hashes, start, start + count);
}

/** The runs of `state` as separate arrays, for merging. */
function runsOf(state: HashBucketsState): number[][] {
  const runs: number[][] = [];
  let start = 0;
  for (const size of state.sizes) {
    runs.push(state.hashes.slice(start, start + size));
    start += size;
  }
  return runs;
}

/** Merges `from` into `into`, uniting the hash runs of shared buckets. */
export function mergeDistinct(
  into: HashBucketsState,
  from: HashBucketsState,
  def: DistinctCountDefinition,
): void {
  const merged = mergeBuckets(
    { buckets: into.buckets, cells: runsOf(into) },
    { buckets: from.buckets, cells: runsOf(from) },
    unionSorted,
    (run) => run,
  );
  into.buckets = merged.buckets;
  into.sizes = merged.cells.map((run) => run.length);
  into.hashes = merged.cells.flat();
  prune(into, spanFor(def));
}
