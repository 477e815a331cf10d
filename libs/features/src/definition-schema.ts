/**
 * The shape of a feature definitions document, checked with zod before any
 * meaning is given to it (parse-definitions.ts gives the meaning).
 */
import { z } from 'zod';
import { EVENT_TYPE_NAMES, FeatureKind } from './definitions.js';
import { DefinitionError } from './errors.js';

// Upper bounds on per-feature sizes, so one definition cannot bloat every profile.
const MAX_LAST_N = 1_000;
const MAX_AFFINITY_KEYS = 1_000;

const typeNames = Object.keys(EVENT_TYPE_NAMES) as [keyof typeof EVENT_TYPE_NAMES];
const durationText = z.string({ error: 'expected a duration like 7d' });
const pathText = z.string({ error: 'expected a field path like revenue' }).min(1);

const common = {
  id: z
    .string({ error: 'expected an id' })
    .regex(/^[a-z][a-z0-9_]*$/, { error: 'expected an id like orders_7d ([a-z][a-z0-9_]*)' }),
  events: z
    .array(z.string({ error: 'expected an event name' }).min(1), {
      error: 'expected a list of event names',
    })
    .min(1, { error: 'expected at least one event name' })
    .optional(),
  types: z
    .array(z.enum(typeNames, { error: `expected one of ${typeNames.join(', ')}` }), {
      error: 'expected a list of event types',
    })
    .min(1, { error: 'expected at least one event type' })
    .optional(),
};
const each = { each: z.literal('products', { error: "expected 'products'" }).optional() };
const windowed = { window: durationText.optional(), bucket: durationText.optional() };
const counted = (max: number, what: string) =>
  z
    .int({ error: `expected a whole number of ${what}` })
    .min(1, { error: 'expected >= 1' })
    .max(max, {
      error: `expected <= ${max}`,
    });

const countSchema = z.strictObject({
  ...common,
  ...each,
  ...windowed,
  kind: z.literal('count'),
  value: pathText.optional(),
});
const aggregateSchema = z.strictObject({
  ...common,
  ...each,
  ...windowed,
  kind: z.enum(['sum', 'min', 'max', 'distinct_count']),
  value: pathText,
});
const lastNSchema = z.strictObject({
  ...common,
  ...each,
  kind: z.literal('last_n'),
  n: counted(MAX_LAST_N, 'values'),
  value: pathText,
});
const seenSchema = z.strictObject({ ...common, kind: z.enum(['first_seen', 'last_seen']) });
const affinitySchema = z.strictObject({
  ...common,
  ...each,
  kind: z.literal('affinity'),
  key: pathText,
  weight: pathText.optional(),
  half_life: durationText,
  max_keys: counted(MAX_AFFINITY_KEYS, 'keys').optional(),
});

const kinds = Object.values(FeatureKind).join(', ');
/** One feature, by kind; strict, so a misspelt field is an error. */
export const featureSchema = z.discriminatedUnion(
  'kind',
  [countSchema, aggregateSchema, lastNSchema, seenSchema, affinitySchema],
  { error: `expected kind to be one of ${kinds}` },
);
/** The whole document: `{ features: [...] }`. */
export const documentSchema = z.strictObject(
  { features: z.array(z.unknown(), { error: 'expected a list of features' }) },
  { error: 'expected an object with a features list' },
);

/** A feature that passed the shape check. */
export type RawFeature = z.infer<typeof featureSchema>;

function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  }
  return out;
}

/**
 * Turns the first zod issue into a {@link DefinitionError} naming the field,
 * e.g. `features[3].window`; `prefix` is the path of `raw` in the document.
 */
export function issueToError(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[],
  raw: unknown,
): DefinitionError {
  const path = [...prefix, ...issue.path];
  let reason = issue.message;
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) {
    reason = `required; ${reason}`;
  } else if (issue.code === 'unrecognized_keys') {
    path.push(issue.keys[0] ?? '');
    const kind = (raw as { kind?: unknown } | null)?.kind;
    reason = typeof kind === 'string' ? `not a field of a ${kind} feature` : 'unknown field';
  }
  const value = valueAt(raw, issue.path);
  return new DefinitionError(fieldName(path), reason, { featureId: idOf(raw), value });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}
