import type { Event, Product } from '@pulse/proto';
import type {
  AffinityDefinition,
  DistinctCountDefinition,
  FeatureDefinition,
  FeatureDefinitions,
  LastNDefinition,
  NumberDefinition,
  SeenDefinition,
} from './definitions.js';
import { eventTimeMs } from './event-time.js';
import { toKey, toNumber } from './field-path.js';
import { fnv1a32 } from './internal/hash.js';
import { listenersOf } from './listeners.js';
import { addAffinity, newAffinityState } from './kinds/affinity.js';
import { bucketFor, spanFor } from './kinds/bucket-window.js';
import { addHash, newHashState } from './kinds/distinct.js';
import { addLastN, newLastNState } from './kinds/last-n.js';
import { addNumber, newNumberState } from './kinds/numeric.js';
import { addSeen, newSeenState } from './kinds/seen.js';
import type {
  AffinityState,
  FeatureStates,
  HashBucketsState,
  LastNState,
  NumberBucketsState,
  SeenState,
} from './state.js';
import { stateOf } from './state.js';

/** Folds one contribution (the event, or one of its line items) into `states`. */
type AddContribution<D extends FeatureDefinition> = (
  states: FeatureStates,
  def: D,
  event: Event,
  product: Product | undefined,
  timeMs: number,
) => boolean;

function forEachItem<D extends FeatureDefinition>(
  states: FeatureStates,
  def: D,
  event: Event,
  timeMs: number,
  add: AddContribution<D>,
): boolean {
  if (!def.each) return add(states, def, event, undefined, timeMs);
  const products = event.commerce?.products;
  if (products === undefined) return false;
  let changed = false;
  for (const product of products) {
    if (add(states, def, event, product, timeMs)) changed = true;
  }
  return changed;
}

// Each adder reads its value first and creates state only for a real
// contribution, so no empty state is ever stored.

function addNumberContribution(
  states: FeatureStates,
  def: NumberDefinition,
  event: Event,
  product: Product | undefined,
  timeMs: number,
): boolean {
  let x = 1;
  if (def.kind !== 'count') x = toNumber(def.value?.read(event, product));
  else if (def.value !== null && def.value.read(event, product) === undefined) return false;
  if (Number.isNaN(x)) return false;

  let state = stateOf<NumberBucketsState>(states, def.id, def.fingerprint);
  if (state === undefined) states[def.id] = state = newNumberState(def.fingerprint);
  return addNumber(state, def.kind, bucketFor(def, timeMs), x, spanFor(def));
}

function addDistinctContribution(
  states: FeatureStates,
  def: DistinctCountDefinition,
  event: Event,
  product: Product | undefined,
  timeMs: number,
): boolean {
  const key = toKey(def.value.read(event, product));
  if (key === undefined) return false;

  let state = stateOf<HashBucketsState>(states, def.id, def.fingerprint);
  if (state === undefined) states[def.id] = state = newHashState(def.fingerprint);
  return addHash(state, bucketFor(def, timeMs), fnv1a32(key), spanFor(def));
}

function addLastNContribution(
  states: FeatureStates,
  def: LastNDefinition,
  event: Event,
  product: Product | undefined,
  timeMs: number,
): boolean {
  const value = toKey(def.value.read(event, product));
  if (value === undefined) return false;

  let state = stateOf<LastNState>(states, def.id, def.fingerprint);
  if (state === undefined) states[def.id] = state = newLastNState(def.fingerprint);
  return addLastN(state, def.n, value, timeMs);
}

function addAffinityContribution(
  states: FeatureStates,
  def: AffinityDefinition,
  event: Event,
  product: Product | undefined,
  timeMs: number,
): boolean {
  const key = toKey(def.key.read(event, product));
  if (key === undefined) return false;
  const weight = def.weight === null ? 1 : toNumber(def.weight.read(event, product));
  if (Number.isNaN(weight)) return false;

  let state = stateOf<AffinityState>(states, def.id, def.fingerprint);
  if (state === undefined) states[def.id] = state = newAffinityState(def.fingerprint);
  return addAffinity(state, def, key, weight, timeMs);
}

function applySeen(states: FeatureStates, def: SeenDefinition, timeMs: number): boolean {
  const state = stateOf<SeenState>(states, def.id, def.fingerprint);
  if (state !== undefined) return addSeen(state, def.kind, timeMs);
  states[def.id] = newSeenState(def.fingerprint, timeMs);
  return true;
}

/**
 * Folds one event into every feature that listens to it, in place, bucketed
 * by the event's own timestamp. Returns whether any state changed.
 * Throws {@link EventTimeMissingError} for an event without a timestamp.
 */
export function applyEvent(states: FeatureStates, defs: FeatureDefinitions, event: Event): boolean {
  const timeMs = eventTimeMs(event);
  let changed = false;
  for (const def of listenersOf(defs, event)) {
    if (applyFeature(states, def, event, timeMs)) changed = true;
  }
  return changed;
}

function applyFeature(
  states: FeatureStates,
  def: FeatureDefinition,
  event: Event,
  timeMs: number,
): boolean {
  switch (def.kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
      return forEachItem(states, def, event, timeMs, addNumberContribution);
    case 'distinct_count':
      return forEachItem(states, def, event, timeMs, addDistinctContribution);
    case 'last_n':
      return forEachItem(states, def, event, timeMs, addLastNContribution);
    case 'affinity':
      return forEachItem(states, def, event, timeMs, addAffinityContribution);
    case 'first_seen':
    case 'last_seen':
      return applySeen(states, def, timeMs);
  }
}
