import type { JsonObject, JsonValue } from '@bufbuild/protobuf';

/**
 * Traits merge deeply: nested objects merge key by key, and every leaf (a
 * string, number, boolean, array or null) keeps the value written at the
 * latest event time. A leaf never changes type: a write of another type is
 * refused and counted as a conflict, except that null clears a leaf and a
 * cleared leaf takes any type. Times are kept per leaf path.
 */
export interface TraitWrite {
  traits: JsonObject;
  /** Event time (ms) of the last write to each leaf, by {@link traitPath}. */
  timesMs: Record<string, number>;
}

/** Path of a nested trait, its keys escaped so no two paths collide (after RFC 6901). */
export function traitPath(keys: readonly string[]): string {
  return keys.map((k) => k.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

/**
 * Writes `incoming` into `target` as of `atMs`, or as of `timesMs` per leaf
 * when the incoming traits carry their own times (a merged profile's).
 * Returns what changed and how many leaves were refused for changing type.
 */
export function mergeTraits(
  target: TraitWrite,
  incoming: JsonObject,
  atMs: number,
  incomingTimesMs?: Record<string, number>,
): { changed: boolean; conflicts: number } {
  const result = { changed: false, conflicts: 0 };
  mergeInto(target, target.traits, incoming, [], atMs, incomingTimesMs, result);
  return result;
}

function mergeInto(
  target: TraitWrite,
  into: JsonObject,
  from: JsonObject,
  keys: string[],
  atMs: number,
  fromTimes: Record<string, number> | undefined,
  result: { changed: boolean; conflicts: number },
): void {
  for (const [key, value] of Object.entries(from)) {
    const path = [...keys, key];
    const name = traitPath(path);
    // Own properties only: `constructor` or `toString` are traits like any other.
    const current = Object.hasOwn(into, key) ? into[key] : undefined;
    const writtenAtMs = fromTimes?.[name] ?? atMs;
    if (isObject(value) && isObject(current)) {
      mergeInto(target, current, value, path, atMs, fromTimes, result);
      continue;
    }
    const heldAtMs = target.timesMs[name] ?? latestUnder(target.timesMs, name);
    const newer = current === undefined || heldAtMs === undefined || writtenAtMs >= heldAtMs;
    if (!newer) continue;
    if (
      current !== undefined &&
      current !== null &&
      value !== null &&
      kind(current) !== kind(value)
    ) {
      result.conflicts += 1;
      continue;
    }
    forgetUnder(target.timesMs, name);
    result.changed = true;
    if (isObject(value)) {
      // A new subtree (where nothing or null was): copied leaf by leaf, each with its time.
      const fresh: JsonObject = {};
      into[key] = fresh;
      delete target.timesMs[name];
      mergeInto(target, fresh, value, path, atMs, fromTimes, result);
      continue;
    }
    into[key] = value;
    target.timesMs[name] = writtenAtMs;
  }
}

/** The latest time of any leaf under `prefix` (an object is held where a leaf is written). */
function latestUnder(timesMs: Record<string, number>, prefix: string): number | undefined {
  let latest: number | undefined;
  for (const [name, ms] of Object.entries(timesMs)) {
    if (name.startsWith(`${prefix}/`) && (latest === undefined || ms > latest)) latest = ms;
  }
  return latest;
}

/** Drops the times of leaves under `prefix`, once the subtree is replaced. */
function forgetUnder(timesMs: Record<string, number>, prefix: string): void {
  for (const name of Object.keys(timesMs)) {
    if (name.startsWith(`${prefix}/`)) delete timesMs[name];
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: JsonValue): string {
  return Array.isArray(value) ? 'array' : typeof value;
}
