import { parse as parseYaml } from 'yaml';
import type {
  AffinityDefinition,
  DistinctCountDefinition,
  FeatureDefinition,
  FeatureDefinitions,
  LastNDefinition,
  NumberDefinition,
  SeenDefinition,
} from './definitions.js';
import { EVENT_TYPE_NAMES } from './definitions.js';
import type { FeatureKind } from './definitions.js';
import { documentSchema, featureSchema, issueToError } from './definition-schema.js';
import type { RawFeature } from './definition-schema.js';
import { DAY_MS, MINUTE_MS, formatDurationMs, parseDurationMs } from './duration.js';
import { DefinitionError } from './errors.js';
import type { FieldPath } from './field-path.js';
import { FieldPathSyntaxError, compileFieldPath } from './field-path.js';
import { fnv1a32 } from './internal/hash.js';
import { defaultBucketMs } from './window.js';

const MIN_WINDOW_MS = MINUTE_MS;
const MAX_WINDOW_MS = 90 * DAY_MS;
const MIN_BUCKET_MS = 1_000;
const MAX_BUCKETS_PER_WINDOW = 10_000;
const DEFAULT_AFFINITY_MAX_KEYS = 32;
const LIFETIME = 'lifetime';

/** Validation context for one feature: where it sits and what it is called. */
class FeatureScope {
  constructor(
    readonly field: string,
    readonly id: string,
  ) {}

  fail(field: string, reason: string, value?: unknown): never {
    throw new DefinitionError(`${this.field}.${field}`, reason, { featureId: this.id, value });
  }

  path(field: string, text: string, each: boolean): FieldPath {
    let compiled: FieldPath;
    try {
      compiled = compileFieldPath(text);
    } catch (err) {
      if (err instanceof FieldPathSyntaxError) this.fail(field, err.message, text);
      throw err;
    }
    if (compiled.perProduct && !each) this.fail(field, 'product.* needs each: products', text);
    return compiled;
  }

  duration(field: string, text: string, minMs: number, maxMs: number): number {
    const ms = parseDurationMs(text);
    if (ms === undefined) this.fail(field, 'expected a duration like 7d (units s, m, h, d)', text);
    if (ms < minMs || ms > maxMs) {
      const range = `${formatDurationMs(minMs)} to ${formatDurationMs(maxMs)}`;
      this.fail(field, `expected a duration from ${range}`, text);
    }
    return ms;
  }
}

function compileWindow(scope: FeatureScope, raw: { window?: string; bucket?: string }) {
  if (raw.window === undefined || raw.window === LIFETIME) {
    if (raw.bucket !== undefined) scope.fail('bucket', 'a lifetime feature has no buckets');
    return { windowMs: null, bucketMs: null };
  }
  const windowMs = scope.duration('window', raw.window, MIN_WINDOW_MS, MAX_WINDOW_MS);
  if (raw.bucket === undefined) return { windowMs, bucketMs: defaultBucketMs(windowMs) };

  const bucketMs = scope.duration('bucket', raw.bucket, MIN_BUCKET_MS, windowMs);
  if (windowMs / bucketMs > MAX_BUCKETS_PER_WINDOW) {
    scope.fail('bucket', `expected at most ${MAX_BUCKETS_PER_WINDOW} buckets per window`);
  }
  return { windowMs, bucketMs };
}

function compileFeature(raw: RawFeature, scope: FeatureScope): FeatureDefinition {
  const each = 'each' in raw && raw.each === 'products';
  const base = {
    id: raw.id,
    events: raw.events === undefined ? null : new Set(raw.events),
    types: raw.types === undefined ? null : new Set(raw.types.map((t) => EVENT_TYPE_NAMES[t])),
    each,
    windowMs: null,
    bucketMs: null,
    fingerprint: 0,
  };
  switch (raw.kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max': {
      const value = raw.value === undefined ? null : scope.path('value', raw.value, each);
      const window = compileWindow(scope, raw);
      return { ...base, ...window, kind: raw.kind, value } satisfies NumberDefinition;
    }
    case 'distinct_count': {
      const value = scope.path('value', raw.value, each);
      const window = compileWindow(scope, raw);
      return { ...base, ...window, kind: raw.kind, value } satisfies DistinctCountDefinition;
    }
    case 'last_n': {
      const value = scope.path('value', raw.value, each);
      return { ...base, kind: raw.kind, n: raw.n, value } satisfies LastNDefinition;
    }
    case 'first_seen':
    case 'last_seen':
      return { ...base, kind: raw.kind } satisfies SeenDefinition;
    case 'affinity': {
      const key = scope.path('key', raw.key, each);
      const weight = raw.weight === undefined ? null : scope.path('weight', raw.weight, each);
      const halfLifeMs = scope.duration('half_life', raw.half_life, MIN_BUCKET_MS, 3650 * DAY_MS);
      const maxKeys = raw.max_keys ?? DEFAULT_AFFINITY_MAX_KEYS;
      const def = { ...base, kind: raw.kind, key, weight, halfLifeMs, maxKeys };
      return def satisfies AffinityDefinition;
    }
  }
}

/** A definition seen with every field any kind has, each possibly absent. */
interface AnyDefinition extends Omit<SeenDefinition, 'kind'> {
  readonly kind: FeatureKind;
  readonly value?: FieldPath | null;
  readonly key?: FieldPath;
  readonly weight?: FieldPath | null;
  readonly n?: number;
  readonly halfLifeMs?: number;
  readonly maxKeys?: number;
}

/**
 * Everything that changes what stored state means. `n` and `max_keys` are left
 * out on purpose: changing them only trims or widens the same state.
 */
function fingerprintOf(def: AnyDefinition): number {
  const paths = [def.value?.path, def.key?.path, def.weight?.path, def.halfLifeMs];
  const events = def.events === null ? null : [...def.events].sort();
  const types = def.types === null ? null : [...def.types].sort();
  const parts = [def.kind, def.windowMs, def.bucketMs, def.each, paths, events, types];
  return fnv1a32(JSON.stringify(parts));
}

/**
 * Freezes `def` with every field of every kind present, in one order, so all
 * definitions share one hidden class and the per-event loop stays monomorphic.
 */
function finalize(def: AnyDefinition): FeatureDefinition {
  const uniform = {
    id: def.id,
    kind: def.kind,
    events: def.events,
    types: def.types,
    each: def.each,
    windowMs: def.windowMs,
    bucketMs: def.bucketMs,
    value: def.value ?? null,
    key: def.key ?? null,
    weight: def.weight ?? null,
    n: def.n ?? 0,
    halfLifeMs: def.halfLifeMs ?? 0,
    maxKeys: def.maxKeys ?? 0,
    fingerprint: fingerprintOf(def),
  };
  return Object.freeze(uniform) as FeatureDefinition;
}

function readSource(source: unknown): unknown {
  if (typeof source !== 'string') return source;
  try {
    return parseYaml(source);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DefinitionError('', `invalid YAML: ${reason}`, {}, { cause: err });
  }
}

/**
 * Parses feature definitions from YAML text or an already-parsed object,
 * validates them, and compiles them into an immutable {@link FeatureDefinitions}.
 * Throws {@link DefinitionError} naming the first field at fault.
 */
export function parseFeatureDefinitions(source: string | unknown): FeatureDefinitions {
  const raw = readSource(source);
  const document = documentSchema.safeParse(raw);
  if (!document.success) throw issueToError(document.error.issues[0]!, [], raw);

  const features: FeatureDefinition[] = [];
  const byId = new Map<string, FeatureDefinition>();
  document.data.features.forEach((rawFeature, index) => {
    const parsed = featureSchema.safeParse(rawFeature);
    if (!parsed.success) {
      throw issueToError(parsed.error.issues[0]!, ['features', index], rawFeature);
    }
    const scope = new FeatureScope(`features[${index}]`, parsed.data.id);
    if (byId.has(parsed.data.id)) scope.fail('id', 'duplicate feature id', parsed.data.id);

    const def = finalize(compileFeature(parsed.data, scope));
    features.push(def);
    byId.set(def.id, def);
  });
  return Object.freeze({ features: Object.freeze(features), byId });
}
