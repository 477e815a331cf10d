/**
 * Index of the first element of ascending `sorted[from..to)` that is >=
 * `target` (`to` when there is none).
 */
export function lowerBound(
  sorted: readonly number[],
  target: number,
  from = 0,
  to = sorted.length,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Like {@link lowerBound} for ascending strings in code-unit order. */
export function lowerBoundString(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Inserts `value` at `index`, shifting later elements right. Unlike
 * `splice`, allocates nothing (no array of removed elements).
 */
export function insertAt<T>(array: T[], index: number, value: T): void {
  let i = array.length;
  array.push(value);
  for (; i > index; i--) array[i] = array[i - 1] as T;
  array[index] = value;
}

/**
 * Removes the first `count` elements in place. V8 trims the front of the
 * backing store for `shift` and `splice` instead of moving elements (unlike
 * `copyWithin`); `shift` also skips allocating the array `splice` returns.
 */
export function dropFront<T>(array: T[], count: number): void {
  if (count > 8) array.splice(0, count);
  else for (let i = 0; i < count; i++) array.shift();
}

/**
 * Inserts `value` into ascending `sorted` unless already present.
 * Returns whether it was inserted.
 */
export function insertUnique(sorted: number[], value: number): boolean {
  const n = sorted.length;
  if (n === 0 || (sorted[n - 1] as number) < value) {
    sorted.push(value);
    return true;
  }
  const i = lowerBound(sorted, value);
  if (sorted[i] === value) return false;
  insertAt(sorted, i, value);
  return true;
}

/** Union of two ascending duplicate-free arrays, as a new array. */
export function unionSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++] as number);
  while (j < b.length) out.push(b[j++] as number);
  return out;
}
