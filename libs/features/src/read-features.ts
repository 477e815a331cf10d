import type { FeatureDefinition, FeatureDefinitions } from './definitions.js';
import { readAffinity } from './kinds/affinity.js';
import { readDistinct } from './kinds/distinct.js';
import { readLastN } from './kinds/last-n.js';
import { readNumber } from './kinds/numeric.js';
import { readSeen } from './kinds/seen.js';
import type {
  AffinityState,
  FeatureStates,
  HashBucketsState,
  LastNState,
  NumberBucketsState,
  SeenState,
} from './state.js';
import { stateOf } from './state.js';

/**
 * One feature's value at a read instant: a number for count, sum and
 * distinct_count; a number or null for min, max, first_seen and last_seen
 * (epoch ms); values newest first for last_n; scores by key for affinity.
 */
export type FeatureReading = number | null | string[] | Record<string, number>;

function readFeature(states: FeatureStates, def: FeatureDefinition, atMs: number): FeatureReading {
  const { id, fingerprint } = def;
  switch (def.kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
      return readNumber(stateOf<NumberBucketsState>(states, id, fingerprint), def, atMs);
    case 'distinct_count':
      return readDistinct(stateOf<HashBucketsState>(states, id, fingerprint), def, atMs);
    case 'last_n':
      return readLastN(stateOf<LastNState>(states, id, fingerprint), def, atMs);
    case 'first_seen':
    case 'last_seen':
      return readSeen(stateOf<SeenState>(states, id, fingerprint));
    case 'affinity':
      return readAffinity(stateOf<AffinityState>(states, id, fingerprint), def, atMs);
  }
}

/**
 * Reads every defined feature at instant `atMs` (epoch ms), or only those
 * named in `only`. A windowed feature covers the buckets overlapping
 * [atMs − window, atMs); features without state read as empty (0, null, [] or {}).
 */
export function readFeatures(
  states: FeatureStates,
  defs: FeatureDefinitions,
  atMs: number,
  only?: ReadonlySet<string>,
): Record<string, FeatureReading> {
  const readings: Record<string, FeatureReading> = {};
  for (const def of defs.features) {
    if (only === undefined || only.has(def.id)) readings[def.id] = readFeature(states, def, atMs);
  }
  return readings;
}
