import type { JsonObject } from '@bufbuild/protobuf';

import { InvalidEventError } from '../errors.js';
import { JSON_MAX_DEPTH } from '../limits.js';

const IDENTIFIER_KEY = /^[A-Za-z_$][\w$]*$/;

/** Whether `value` is a plain object: not null, an array or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The JSON path of `key` under `parent`: `a.b`, `a[2]`, or `a["odd key"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (!IDENTIFIER_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Checks that `value` is plain JSON a protobuf Struct can hold: finite
 * numbers, no undefined or functions, nesting at most JSON_MAX_DEPTH deep.
 * Throws {@link InvalidEventError} naming the first offending path.
 */
export function assertJsonValue(value: unknown, path: string, depth = 0): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw new InvalidEventError(path, 'must be a finite number', value);
      return;
  }
  if (value === null) return;
  if (depth >= JSON_MAX_DEPTH) {
    throw new InvalidEventError(path, `nests deeper than ${JSON_MAX_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonValue(item, childPath(path, i), depth + 1));
    return;
  }
  if (!isPlainObject(value)) {
    throw new InvalidEventError(path, 'must be a JSON value', value);
  }
  for (const [key, item] of Object.entries(value)) {
    assertJsonValue(item, childPath(path, key), depth + 1);
  }
}

/**
 * Reads an optional JSON object field whose contents were already checked
 * with {@link assertJsonValue}: undefined and null give undefined, a plain
 * object is returned as a Struct value, anything else is rejected.
 */
export function readJsonObject(value: unknown, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new InvalidEventError(path, 'must be a JSON object', value);
  }
  return value as JsonObject;
}
