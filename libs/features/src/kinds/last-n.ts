import type { LastNDefinition } from '../definitions.js';
import type { LastNState } from '../state.js';

/** A new, empty last-N state for the definition with `fingerprint`. */
export function newLastNState(fingerprint: number): LastNState {
  return { fingerprint, values: [], timesMs: [] };
}

/**
 * Whether entry (timeA, valueA) sorts at or before (timeB, valueB): newer
 * first, then by value descending, so the kept n never depend on arrival order.
 */
function sortsFirst(timeA: number, valueA: string, timeB: number, valueB: string): boolean {
  return timeA > timeB || (timeA === timeB && valueA >= valueB);
}

/** Index at which (timeMs, value) goes: after every entry that sorts first. */
function insertionIndex(state: LastNState, timeMs: number, value: string): number {
  const { values, timesMs } = state;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortsFirst(timesMs[mid] as number, values[mid] as string, timeMs, value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Keeps (value, timeMs) if it is among the n newest. Returns whether the
 * state changed.
 */
export function addLastN(state: LastNState, n: number, value: string, timeMs: number): boolean {
  const { values, timesMs } = state;
  const at = insertionIndex(state, timeMs, value);
  if (at >= n) return false;
  if (values.length > n) {
    // n was lowered by a definition change: trim once.
    values.length = n;
    timesMs.length = n;
  }
  // Shift right in place, dropping the oldest entry when full.
  let i = values.length < n ? values.length : n - 1;
  if (i === values.length) {
    values.push(value);
    timesMs.push(timeMs);
  }
  for (; i > at; i--) {
    values[i] = values[i - 1] as string;
    timesMs[i] = timesMs[i - 1] as number;
  }
  values[at] = value;
  timesMs[at] = timeMs;
  return true;
}

/**
 * Values newest first among entries with event time <= `atMs`, at most n.
 * Entries are only kept for the n newest overall, so a read earlier than the
 * newest events may return fewer.
 */
export function readLastN(
  state: LastNState | undefined,
  def: LastNDefinition,
  atMs: number,
): string[] {
  const out: string[] = [];
  if (state === undefined) return out;
  for (let i = 0; i < state.values.length && out.length < def.n; i++) {
    if ((state.timesMs[i] as number) <= atMs) out.push(state.values[i] as string);
  }
  return out;
}

/** Merges `from` into `into`, keeping the n entries that sort first. */
export function mergeLastN(into: LastNState, from: LastNState, def: LastNDefinition): void {
  const values: string[] = [];
  const timesMs: number[] = [];
  let i = 0;
  let j = 0;
  while (values.length < def.n && (i < into.values.length || j < from.values.length)) {
    const takeInto =
      j >= from.values.length ||
      (i < into.values.length &&
        sortsFirst(
          into.timesMs[i] as number,
          into.values[i] as string,
          from.timesMs[j] as number,
          from.values[j] as string,
        ));
    if (takeInto) {
      values.push(into.values[i] as string);
      timesMs.push(into.timesMs[i++] as number);
    } else {
      values.push(from.values[j] as string);
      timesMs.push(from.timesMs[j++] as number);
    }
  }
  into.values = values;
  into.timesMs = timesMs;
}
