import type { NumberDefinition } from '../definitions.js';
import { TOO_OLD, bucketSlot, deadBucketCount, mergeBuckets } from '../internal/buckets.js';
import { dropFront, insertAt } from '../internal/sorted.js';
import type { NumberBucketsState } from '../state.js';
import { firstReadIndex, lastReadBucket, spanFor } from './bucket-window.js';

/** The kinds kept as one number per bucket. */
export type NumberKind = NumberDefinition['kind'];

/** A new, empty number state for the definition with `fingerprint`. */
export function newNumberState(fingerprint: number): NumberBucketsState {
  return { fingerprint, buckets: [], values: [] };
}

function combine(kind: NumberKind, current: number, x: number): number {
  switch (kind) {
    case 'count':
    case 'sum':
      return current + x;
    case 'min':
      return x < current ? x : current;
    case 'max':
      return x > current ? x : current;
  }
}

/**
 * Folds `x` (1 for count) into `bucket`. Returns whether the state changed;
 * a bucket too old to ever be read again is ignored.
 */
export function addNumber(
  state: NumberBucketsState,
  kind: NumberKind,
  bucket: number,
  x: number,
  span: number,
): boolean {
  const { buckets, values } = state;
  const slot = bucketSlot(buckets, bucket, span);
  if (slot === TOO_OLD) return false;
  if (slot >= 0) {
    const current = values[slot] as number;
    const next = combine(kind, current, x);
    values[slot] = next;
    return next !== current;
  }

  const at = -slot - 1;
  if (at === buckets.length) {
    buckets.push(bucket);
    values.push(x);
    const dead = deadBucketCount(buckets, span);
    if (dead > 0) {
      dropFront(buckets, dead);
      dropFront(values, dead);
    }
  } else {
    insertAt(buckets, at, bucket);
    insertAt(values, at, x);
  }
  return true;
}

/**
 * The reading at `atMs`: a number for count and sum (0 when empty), a number
 * or null for min and max.
 */
export function readNumber(
  state: NumberBucketsState | undefined,
  def: NumberDefinition,
  atMs: number,
): number | null {
  const additive = def.kind === 'count' || def.kind === 'sum';
  if (state === undefined) return additive ? 0 : null;
  const { buckets, values } = state;
  const from = firstReadIndex(buckets, def, atMs);
  const last = lastReadBucket(def, atMs);
  let to = from;
  while (to < buckets.length && (buckets[to] as number) <= last) to++;

  if (to === from) return additive ? 0 : null;
  // One tight loop per kind, accumulating a plain double the optimizer can
  // keep unboxed.
  let result = values[from] as number;
  if (additive) {
    for (let i = from + 1; i < to; i++) result += values[i] as number;
  } else if (def.kind === 'min') {
    for (let i = from + 1; i < to; i++) result = Math.min(result, values[i] as number);
  } else {
    for (let i = from + 1; i < to; i++) result = Math.max(result, values[i] as number);
  }
  return result;
}

/** Merges `from` into `into` bucket by bucket, then drops dead buckets. */
export function mergeNumber(
  into: NumberBucketsState,
  from: NumberBucketsState,
  def: NumberDefinition,
): void {
  const merged = mergeBuckets(
    { buckets: into.buckets, cells: into.values },
    { buckets: from.buckets, cells: from.values },
    (x, y) => combine(def.kind, x, y),
    (y) => y,
  );
  const dead = deadBucketCount(merged.buckets, spanFor(def));
  into.buckets = merged.buckets.slice(dead);
  into.values = merged.cells.slice(dead);
}
