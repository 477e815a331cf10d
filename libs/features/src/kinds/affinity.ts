import type { AffinityDefinition } from '../definitions.js';
import { insertAt, lowerBoundString } from '../internal/sorted.js';
import type { AffinityState } from '../state.js';

/** Scores at or below this are reported as absent. */
export const MIN_REPORTED_SCORE = 1e-9;

/** A new, empty affinity state for the definition with `fingerprint`. */
export function newAffinityState(fingerprint: number): AffinityState {
  return { fingerprint, keys: [], scores: [], refTimesMs: [] };
}

/** 2^(−elapsed / halfLife): what one unit of score is worth `elapsedMs` later. */
function decay(elapsedMs: number, halfLifeMs: number): number {
  // exp is several times faster than Math.pow(2, x) in V8, same precision class.
  return Math.exp((-elapsedMs / halfLifeMs) * Math.LN2);
}

/**
 * Adds weight `w` at event time `timeMs` to the cell (score, ref) at `i`:
 * the score moves forward to the later of the two instants, so the result is
 * the same whatever order weights arrive in.
 */
function addToCell(state: AffinityState, i: number, w: number, timeMs: number, halfLifeMs: number) {
  const refMs = state.refTimesMs[i] as number;
  const score = state.scores[i] as number;
  if (timeMs >= refMs) {
    state.scores[i] = score * decay(timeMs - refMs, halfLifeMs) + w;
    state.refTimesMs[i] = timeMs;
  } else {
    state.scores[i] = score + w * decay(refMs - timeMs, halfLifeMs);
  }
}

function removeAt(state: AffinityState, i: number): void {
  state.keys.splice(i, 1);
  state.scores.splice(i, 1);
  state.refTimesMs.splice(i, 1);
}

/**
 * Index of the key to drop: lowest score compared at the newest reference
 * time, ties dropping the greater key so the choice is deterministic.
 */
function weakestIndex(state: AffinityState, halfLifeMs: number): number {
  const { keys, scores, refTimesMs } = state;
  let newestMs = -Infinity;
  for (const refMs of refTimesMs) if (refMs > newestMs) newestMs = refMs;

  let weakest = 0;
  let weakestScore = Infinity;
  for (let i = 0; i < keys.length; i++) {
    const score = (scores[i] as number) * decay(newestMs - (refTimesMs[i] as number), halfLifeMs);
    if (score < weakestScore || (score === weakestScore && keys[i]! > keys[weakest]!)) {
      weakest = i;
      weakestScore = score;
    }
  }
  return weakest;
}

/** Drops the weakest keys until at most `maxKeys` remain; returns how many went. */
function evict(state: AffinityState, def: AffinityDefinition): number {
  let dropped = 0;
  for (; state.keys.length > def.maxKeys; dropped++) {
    removeAt(state, weakestIndex(state, def.halfLifeMs));
  }
  return dropped;
}

/**
 * Adds weight `w` for `key` at event time `timeMs`. Returns whether the state
 * changed (a zero weight, or a new key evicted at once, changes nothing).
 */
export function addAffinity(
  state: AffinityState,
  def: AffinityDefinition,
  key: string,
  w: number,
  timeMs: number,
): boolean {
  if (w === 0) return false;
  const i = lowerBoundString(state.keys, key);
  if (state.keys[i] === key) {
    addToCell(state, i, w, timeMs, def.halfLifeMs);
    return true;
  }
  insertAt(state.keys, i, key);
  insertAt(state.scores, i, w);
  insertAt(state.refTimesMs, i, timeMs);
  if (state.keys.length <= def.maxKeys) return true;
  // Dropping just the new key leaves the state as it was.
  return evict(state, def) > 1 || state.keys[lowerBoundString(state.keys, key)] === key;
}

/** Sets `reading[key]`, even for `__proto__`, which plain assignment would swallow. */
function setKey(reading: Record<string, number>, key: string, score: number): void {
  if (key !== '__proto__') reading[key] = score;
  else Object.defineProperty(reading, key, { value: score, enumerable: true, writable: true });
}

/**
 * An empty object that V8 keeps as a hash table. Readings put keys from an
 * open set in score order: as ordinary objects, nearly every reading would
 * get a hidden class of its own, built key by key and never used again.
 */
function dictionaryObject(): Record<string, number> {
  const object: Record<string, number> = { first: 0, second: 0 };
  // Deleting a property other than the last turns the object into a hash table.
  delete object.first;
  delete object.second;
  return object;
}

/**
 * Scores decayed to `atMs`, keys above {@link MIN_REPORTED_SCORE}, inserted in
 * descending score order (JavaScript lists integer-like keys first regardless).
 */
export function readAffinity(
  state: AffinityState | undefined,
  def: AffinityDefinition,
  atMs: number,
): Record<string, number> {
  if (state === undefined) return {};
  const reading = dictionaryObject();
  const keys: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < state.keys.length; i++) {
    const elapsedMs = atMs - (state.refTimesMs[i] as number);
    const score = (state.scores[i] as number) * decay(elapsedMs, def.halfLifeMs);
    if (score <= MIN_REPORTED_SCORE) continue;
    // Insertion sort, descending: max_keys is small, and this allocates nothing.
    let j = keys.length;
    keys.push(state.keys[i] as string);
    scores.push(score);
    for (; j > 0 && (scores[j - 1] as number) < score; j--) {
      keys[j] = keys[j - 1] as string;
      scores[j] = scores[j - 1] as number;
    }
    keys[j] = state.keys[i] as string;
    scores[j] = score;
  }
  for (let i = 0; i < keys.length; i++) setKey(reading, keys[i] as string, scores[i] as number);
  return reading;
}

/** Merges `from` into `into` key by key, then evicts down to max_keys. */
export function mergeAffinity(
  into: AffinityState,
  from: AffinityState,
  def: AffinityDefinition,
): void {
  for (let j = 0; j < from.keys.length; j++) {
    const key = from.keys[j] as string;
    const i = lowerBoundString(into.keys, key);
    if (into.keys[i] === key) {
      addToCell(into, i, from.scores[j] as number, from.refTimesMs[j] as number, def.halfLifeMs);
    } else {
      into.keys.splice(i, 0, key);
      into.scores.splice(i, 0, from.scores[j] as number);
      into.refTimesMs.splice(i, 0, from.refTimesMs[j] as number);
    }
  }
  evict(into, def);
}
