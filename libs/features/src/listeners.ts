import type { Event, EventType } from '@pulse/proto';
import type { FeatureDefinition, FeatureDefinitions } from './definitions.js';

/** Event names remembered per definitions and event type; others are matched each time. */
const MAX_NAMES_PER_TYPE = 1_024;

type ListenerCache = Map<EventType, Map<string, readonly FeatureDefinition[]>>;

const caches = new WeakMap<FeatureDefinitions, ListenerCache>();

/** Whether `def` folds in events like `event` (its name or type is listed, or it lists none). */
export function listensTo(def: FeatureDefinition, event: Event): boolean {
  if (def.events === null && def.types === null) return true;
  return (def.events?.has(event.event) ?? false) || (def.types?.has(event.type) ?? false);
}

/**
 * The features of `defs` that listen to `event`, in definition order: what
 * filtering with {@link listensTo} gives, found once per event type and name
 * (definitions are immutable; a reload brings a new object, hence a new cache).
 */
export function listenersOf(defs: FeatureDefinitions, event: Event): readonly FeatureDefinition[] {
  let cache = caches.get(defs);
  if (cache === undefined) caches.set(defs, (cache = new Map()));
  let byName = cache.get(event.type);
  if (byName === undefined) cache.set(event.type, (byName = new Map()));
  let listeners = byName.get(event.event);
  if (listeners === undefined) {
    listeners = defs.features.filter((def) => listensTo(def, event));
    if (byName.size < MAX_NAMES_PER_TYPE) byName.set(event.event, listeners);
  }
  return listeners;
}
