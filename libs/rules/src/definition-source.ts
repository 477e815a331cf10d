import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DefinitionError } from './errors.js';
import { positionAt } from './source-position.js';

/**
 * Reads a definitions document: a YAML (or JSON) string is parsed, anything
 * else is taken as already-parsed data. YAML problems become a {@link DefinitionError}.
 */
export function loadDefinitionSource(source: unknown): unknown {
  if (typeof source !== 'string') {
    return source;
  }
  const document = parseDocument(source, { prettyErrors: false });
  const [first] = document.errors;
  if (first !== undefined) {
    const { line } = positionAt(source, first.pos[0]);
    throw new DefinitionError('', `invalid YAML at line ${line}: ${first.message}`, {
      cause: first,
    });
  }
  return document.toJS();
}

/**
 * Loads `source` and validates it against `schema`, throwing a
 * {@link DefinitionError} that names the first offending field.
 */
export function parseDefinitionSource<T>(source: unknown, schema: z.ZodType<T>): T {
  const result = schema.safeParse(loadDefinitionSource(source));
  if (result.success) {
    return result.data;
  }
  const [issue] = result.error.issues;
  if (issue === undefined) {
    throw new DefinitionError('', 'invalid definitions', { cause: result.error });
  }
  const { path, reason } = describeIssue(issue);
  throw new DefinitionError(formatFieldPath(path), reason, { cause: result.error });
}

function describeIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; reason: string } {
  if (issue.code === 'unrecognized_keys') {
    const [key = ''] = issue.keys;
    return { path: [...issue.path, key], reason: 'is not a known field' };
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return { path: issue.path, reason: `is required (${issue.expected})` };
  }
  return { path: issue.path, reason: issue.message };
}

/** Renders `['offers', 2, 'audiences', 'include', 0]` as `offers[2].audiences.include[0]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let field = '';
  for (const key of path) {
    if (typeof key === 'number') {
      field += `[${key}]`;
    } else {
      field += field === '' ? String(key) : `.${String(key)}`;
    }
  }
  return field;
}
