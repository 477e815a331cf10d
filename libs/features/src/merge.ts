import type { FeatureDefinition, FeatureDefinitions } from './definitions.js';
import { mergeAffinity, newAffinityState } from './kinds/affinity.js';
import { mergeDistinct, newHashState } from './kinds/distinct.js';
import { mergeLastN, newLastNState } from './kinds/last-n.js';
import { mergeNumber, newNumberState } from './kinds/numeric.js';
import { mergeSeen, newSeenState } from './kinds/seen.js';
import type {
  AffinityState,
  FeatureState,
  FeatureStates,
  HashBucketsState,
  LastNState,
  NumberBucketsState,
  SeenState,
} from './state.js';
import { stateOf } from './state.js';

/** An empty state of the shape `def` uses, to merge a copy of `from` into. */
function emptyLike(def: FeatureDefinition, from: FeatureState): FeatureState {
  switch (def.kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
      return newNumberState(def.fingerprint);
    case 'distinct_count':
      return newHashState(def.fingerprint);
    case 'last_n':
      return newLastNState(def.fingerprint);
    case 'first_seen':
    case 'last_seen':
      return newSeenState(def.fingerprint, (from as SeenState).timeMs);
    case 'affinity':
      return newAffinityState(def.fingerprint);
  }
}

function mergeFeature(into: FeatureState, from: FeatureState, def: FeatureDefinition): void {
  switch (def.kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
      return mergeNumber(into as NumberBucketsState, from as NumberBucketsState, def);
    case 'distinct_count':
      return mergeDistinct(into as HashBucketsState, from as HashBucketsState, def);
    case 'last_n':
      return mergeLastN(into as LastNState, from as LastNState, def);
    case 'first_seen':
    case 'last_seen':
      return mergeSeen(into as SeenState, from as SeenState, def);
    case 'affinity':
      return mergeAffinity(into as AffinityState, from as AffinityState, def);
  }
}

/**
 * Merges the feature states of profile `from` into `into`, in place, as if
 * `into` had seen both profiles' events; `from` is left untouched and shares
 * nothing with the result. State written by another definition is ignored.
 */
export function mergeStates(
  into: FeatureStates,
  from: FeatureStates,
  defs: FeatureDefinitions,
): void {
  for (const def of defs.features) {
    const source = stateOf(from, def.id, def.fingerprint);
    if (source === undefined) continue;
    let target = stateOf(into, def.id, def.fingerprint);
    if (target === undefined) into[def.id] = target = emptyLike(def, source);
    mergeFeature(target, source, def);
  }
}
