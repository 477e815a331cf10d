import { lowerBound } from './sorted.js';

/** {@link bucketSlot} result for a bucket older than anything still readable. */
export const TOO_OLD = Number.NEGATIVE_INFINITY;

/**
 * Where `bucket` belongs in ascending `buckets`, given that buckets more than
 * `span` below the newest can never be read again. Returns the index when the
 * bucket is present, `−(insertAt + 1)` when absent, or {@link TOO_OLD}.
 * `span` is `Infinity` for lifetime state.
 */
export function bucketSlot(buckets: readonly number[], bucket: number, span: number): number {
  const n = buckets.length;
  if (n === 0) return -1;
  const newest = buckets[n - 1] as number;
  // In-order events hit the newest bucket or open a new one: no search.
  if (bucket === newest) return n - 1;
  if (bucket > newest) return -(n + 1);
  if (bucket < newest - span) return TOO_OLD;
  const i = lowerBound(buckets, bucket);
  return buckets[i] === bucket ? i : -(i + 1);
}

/** How many leading buckets fall below `newest − span` and can be dropped. */
export function deadBucketCount(buckets: readonly number[], span: number): number {
  const n = buckets.length;
  if (n === 0 || span === Infinity) return 0;
  const threshold = (buckets[n - 1] as number) - span;
  if ((buckets[0] as number) >= threshold) return 0;
  return lowerBound(buckets, threshold);
}

/** Ascending buckets with one cell (a number, a hash list) per bucket. */
export interface BucketCells<C> {
  buckets: readonly number[];
  cells: readonly C[];
}

/**
 * Merges two ascending bucket lists with their parallel cells into new lists:
 * `combine` joins the cells of a bucket present in both, `copy` takes over a
 * cell present in one, so the result shares nothing mutable with `b`.
 */
export function mergeBuckets<C>(
  a: BucketCells<C>,
  b: BucketCells<C>,
  combine: (x: C, y: C) => C,
  copy: (y: C) => C,
): { buckets: number[]; cells: C[] } {
  const buckets: number[] = [];
  const cells: C[] = [];
  let i = 0;
  let j = 0;
  while (i < a.buckets.length || j < b.buckets.length) {
    const x = i < a.buckets.length ? (a.buckets[i] as number) : Infinity;
    const y = j < b.buckets.length ? (b.buckets[j] as number) : Infinity;
    if (x === y) {
      buckets.push(x);
      cells.push(combine(a.cells[i++] as C, b.cells[j++] as C));
    } else if (x < y) {
      buckets.push(x);
      cells.push(a.cells[i++] as C);
    } else {
      buckets.push(y);
      cells.push(copy(b.cells[j++] as C));
    }
  }
  return { buckets, cells };
}
