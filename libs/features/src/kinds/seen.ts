import type { SeenDefinition } from '../definitions.js';
import type { SeenState } from '../state.js';

/** A seen state holding `timeMs`, for the definition with `fingerprint`. */
export function newSeenState(fingerprint: number, timeMs: number): SeenState {
  return { fingerprint, timeMs };
}

/**
 * Moves the stored time earlier (first_seen) or later (last_seen) when
 * `timeMs` goes further. Returns whether the state changed.
 */
export function addSeen(state: SeenState, kind: SeenDefinition['kind'], timeMs: number): boolean {
  const further = kind === 'first_seen' ? timeMs < state.timeMs : timeMs > state.timeMs;
  if (further) state.timeMs = timeMs;
  return further;
}

/**
 * The stored extreme, epoch ms, or null before any matching event. These are
 * lifetime values and do not depend on the read instant.
 */
export function readSeen(state: SeenState | undefined): number | null {
  return state === undefined ? null : state.timeMs;
}

/** Merges `from` into `into`: the earlier or later of the two times. */
export function mergeSeen(into: SeenState, from: SeenState, def: SeenDefinition): void {
  addSeen(into, def.kind, from.timeMs);
}
