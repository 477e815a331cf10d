import { celList, celMap } from '@bufbuild/cel';
import type { CelInput, CelMap } from '@bufbuild/cel';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import type { DecisionContext, FeatureReading, ProfileView } from './profile-view.js';
import type { RuleVariable } from './rule-variables.js';

/**
 * The values rules see for one profile (and optionally one decision). Rules
 * with a fast path (fast-path.ts) read the view as it is; the CEL bindings
 * are built on first use, once, for the rules that need CEL.
 */
export interface RuleActivation {
  readonly view: ProfileView;
  readonly context: DecisionContext | undefined;
  /** CEL-ready bindings, one per rule variable. Treat as read-only. */
  readonly bindings: Readonly<Record<RuleVariable, CelInput>>;
}

const EMPTY_MAP: CelMap = celMap(new Map());

/**
 * Wraps a profile view (and decision context) as a {@link RuleActivation}.
 * Build one per profile evaluation and pass it to every rule.
 */
export function createActivation(view: ProfileView, context?: DecisionContext): RuleActivation {
  let bindings: RuleActivation['bindings'] | undefined;
  return {
    view,
    context,
    get bindings() {
      return (bindings ??= celBindings(view, context));
    },
  };
}

function celBindings(
  view: ProfileView,
  context: DecisionContext | undefined,
): RuleActivation['bindings'] {
  const request = context?.request;
  return {
    traits: celFromObject(view.traits),
    features: celFromFeatures(view.features),
    identifiers: celFromIdentifiers(view.identifiers),
    now: view.nowMs,
    profile_id: view.profileId,
    request: request == null ? EMPTY_MAP : celFromObject(request),
    placement: context?.placement ?? '',
  };
}

/** JSON numbers become CEL doubles; objects and arrays become CEL maps and lists. */
function celFromJson(value: JsonValue): CelInput {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return celList(value.map(celFromJson));
  }
  return celFromObject(value as JsonObject);
}

function celFromObject(object: JsonObject): CelMap {
  const entries = new Map<string, CelInput>();
  for (const key of Object.keys(object)) {
    const value = object[key];
    // An explicit undefined is how optional JS properties say "absent".
    if (value !== undefined) {
      entries.set(key, celFromJson(value));
    }
  }
  return celMap(entries);
}

function celFromFeatures(features: Record<string, FeatureReading>): CelMap {
  const entries = new Map<string, CelInput>();
  for (const name of Object.keys(features)) {
    entries.set(name, celFromFeature(features[name] ?? null));
  }
  return celMap(entries);
}

function celFromFeature(reading: FeatureReading): CelInput {
  if (reading === null || typeof reading === 'number') {
    return reading;
  }
  if (Array.isArray(reading)) {
    return celList(reading);
  }
  const scores = new Map<string, CelInput>();
  for (const key of Object.keys(reading)) scores.set(key, reading[key]!);
  return celMap(scores);
}

function celFromIdentifiers(identifiers: Record<string, string[]>): CelMap {
  const entries = new Map<string, CelInput>();
  for (const type of Object.keys(identifiers)) {
    entries.set(type, celList(identifiers[type] ?? []));
  }
  return celMap(entries);
}
