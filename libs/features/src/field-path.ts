import type { Context, Event, Product } from '@pulse/proto';
import type { JsonValue } from '@bufbuild/protobuf';

/**
 * Reads one value from an event, or from one of its line items when the
 * feature iterates `each: products`. `undefined` means the value is missing.
 */
export type FieldReader = (event: Event, product: Product | undefined) => unknown;

/** A validated field path with its compiled reader. */
export interface FieldPath {
  /** The path as written, e.g. `product.amount`. */
  readonly path: string;
  /** Whether the path reads a line item (`product.*`) rather than the event. */
  readonly perProduct: boolean;
  readonly read: FieldReader;
}

/** Why a path was rejected; the caller names the field. */
export class FieldPathSyntaxError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'FieldPathSyntaxError';
  }
}

const nonEmpty = (text: string): string | undefined => (text === '' ? undefined : text);

const EVENT_FIELDS: Readonly<Record<string, FieldReader>> = {
  revenue: (e) => e.commerce?.revenue,
  order_id: (e) => nonEmpty(e.commerce?.orderId ?? ''),
  currency: (e) => nonEmpty(e.commerce?.currency ?? ''),
  event: (e) => nonEmpty(e.event),
  name: (e) => nonEmpty(e.name),
};

const PRODUCT_FIELDS: Readonly<Record<string, (p: Product) => unknown>> = {
  product_id: (p) => nonEmpty(p.productId),
  sku: (p) => nonEmpty(p.sku),
  name: (p) => nonEmpty(p.name),
  category: (p) => nonEmpty(p.category),
  brand: (p) => nonEmpty(p.brand),
  price: (p) => p.price,
  quantity: (p) => p.quantity,
  amount: (p) => p.price * p.quantity,
};

type ContextReader = (c: Context) => unknown;

const CONTEXT_FIELDS: Readonly<Record<string, ContextReader>> = {
  ip: (c) => nonEmpty(c.ip),
  user_agent: (c) => nonEmpty(c.userAgent),
  locale: (c) => nonEmpty(c.locale),
  timezone: (c) => nonEmpty(c.timezone),
  channel: (c) => nonEmpty(c.channel),
  'page.url': (c) => nonEmpty(c.page?.url ?? ''),
  'page.path': (c) => nonEmpty(c.page?.path ?? ''),
  'page.referrer': (c) => nonEmpty(c.page?.referrer ?? ''),
  'page.title': (c) => nonEmpty(c.page?.title ?? ''),
  'campaign.name': (c) => nonEmpty(c.campaign?.name ?? ''),
  'campaign.source': (c) => nonEmpty(c.campaign?.source ?? ''),
  'campaign.medium': (c) => nonEmpty(c.campaign?.medium ?? ''),
  'campaign.term': (c) => nonEmpty(c.campaign?.term ?? ''),
  'campaign.content': (c) => nonEmpty(c.campaign?.content ?? ''),
};

/** Walks `keys` into a Struct value; `undefined` when any step is missing. */
function walk(root: JsonValue | undefined, keys: readonly string[]): unknown {
  let node: JsonValue | undefined = root;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node ?? undefined;
}

function compileStructPath(
  keys: readonly string[],
  root: (e: Event) => JsonValue | undefined,
): FieldReader {
  return (e) => walk(root(e), keys);
}

function compileContextPath(rest: string, keys: readonly string[]): FieldReader {
  const typed = CONTEXT_FIELDS[rest];
  if (typed !== undefined) return (e) => (e.context === undefined ? undefined : typed(e.context));
  if (keys[0] === 'extra' && keys.length > 1) {
    return compileStructPath(keys.slice(1), (e) => e.context?.extra);
  }
  const known = [...Object.keys(CONTEXT_FIELDS), 'extra.<key>'].join(', ');
  throw new FieldPathSyntaxError(`unknown context field 'context.${rest}'; known: ${known}`);
}

function compileProductPath(rest: string): FieldReader {
  const field = PRODUCT_FIELDS[rest];
  if (field === undefined) {
    const known = Object.keys(PRODUCT_FIELDS).join('|');
    throw new FieldPathSyntaxError(`unknown line item field 'product.${rest}'; expected ${known}`);
  }
  return (_e, p) => (p === undefined ? undefined : field(p));
}

/**
 * Compiles a field path such as `revenue`, `properties.plan.tier`,
 * `context.page.path`, `traits.country` or `product.category`.
 * Throws {@link FieldPathSyntaxError} for a path that can never resolve.
 */
export function compileFieldPath(path: string): FieldPath {
  const keys = path.split('.');
  if (keys.some((key) => key === '')) {
    throw new FieldPathSyntaxError(`expected dot-separated names, got '${path}'`);
  }
  const [head, ...tail] = keys as [string, ...string[]];
  const rest = tail.join('.');

  if (tail.length === 0) {
    const field = EVENT_FIELDS[head];
    if (field !== undefined) return { path, perProduct: false, read: field };
  } else if (head === 'properties') {
    return { path, perProduct: false, read: compileStructPath(tail, (e) => e.properties) };
  } else if (head === 'traits') {
    return { path, perProduct: false, read: compileStructPath(tail, (e) => e.traits) };
  } else if (head === 'context') {
    return { path, perProduct: false, read: compileContextPath(rest, tail) };
  } else if (head === 'product') {
    return { path, perProduct: true, read: compileProductPath(rest) };
  }
  const expected = 'revenue, order_id, currency, event, name, properties.*, context.*, traits.*';
  throw new FieldPathSyntaxError(`unknown field path '${path}'; expected ${expected} or product.*`);
}

/**
 * Coerces a read value to a finite number: numbers as they are, numeric
 * strings parsed. Returns NaN for anything else, meaning "does not contribute".
 */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'string') {
    if (value.trim() === '') return NaN;
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : NaN;
  }
  return NaN;
}

/**
 * Stringifies a scalar read value for use as a key (distinct, last-N,
 * affinity). Returns `undefined` for missing, empty, or non-scalar values.
 */
export function toKey(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value === '' ? undefined : value;
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return undefined;
  }
}
