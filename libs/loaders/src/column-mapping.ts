import { readFile } from 'node:fs/promises';

import { IANAZone } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { InvalidMappingError } from './errors.js';

/** How a timestamp column is written. */
export const TIMESTAMP_FORMATS = ['iso', 'epoch_ms', 'epoch_s'] as const;

const column = z.string().trim().min(1);

const valueSchema = z.union([
  column,
  z.strictObject({ column, type: z.enum(['string', 'number']).default('string') }),
]);

const mappingSchema = z.strictObject({
  delimiter: z.string().length(1).default(','),
  type: z.enum(['track', 'identify', 'page', 'screen']).default('track'),
  event: z
    .union([
      z.strictObject({ column, values: z.record(z.string(), z.string().min(1)).optional() }),
      z.strictObject({ value: z.string().trim().min(1) }),
    ])
    .optional(),
  timestamp: z.strictObject({
    column,
    format: z.string().trim().min(1).default('iso'),
    zone: z.string().default('UTC'),
  }),
  identifiers: z
    .strictObject({ userId: column.optional(), anonymousId: column.optional() })
    .refine((ids) => ids.userId || ids.anonymousId, 'needs userId or anonymousId'),
  messageId: column.optional(),
  properties: z.record(z.string().min(1), valueSchema).default({}),
  traits: z.record(z.string().min(1), valueSchema).default({}),
});

/** A column mapping as written in its YAML file, defaults applied. */
export type ColumnMapping = z.infer<typeof mappingSchema>;

/** One mapped value: a column and how to read it. */
export interface MappedValue {
  column: string;
  type: 'string' | 'number';
}

/**
 * Reads and checks a YAML column mapping. Throws {@link InvalidMappingError}
 * naming the entry at fault (a track mapping without `event`, an unknown
 * zone, a misspelt key).
 */
export async function loadColumnMapping(path: string): Promise<ColumnMapping> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(path, 'utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidMappingError(path, '', `cannot be read: ${reason}`, { cause: err });
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidMappingError(path, issue.path.join('.'), issue.message);
  }
  const mapping = parsed.data;
  if (mapping.type === 'track' && !mapping.event) {
    throw new InvalidMappingError(path, 'event', 'is required for track calls');
  }
  if (!IANAZone.isValidZone(mapping.timestamp.zone)) {
    throw new InvalidMappingError(path, 'timestamp.zone', 'must be an IANA time zone');
  }
  return mapping;
}

/** A mapped value in its long form. */
export function mappedValue(value: ColumnMapping['properties'][string]): MappedValue {
  return typeof value === 'string' ? { column: value, type: 'string' } : value;
}

/** Every column the mapping reads, for the header check. */
export function mappedColumns(mapping: ColumnMapping): string[] {
  const columns = [mapping.timestamp.column];
  if (mapping.event && 'column' in mapping.event) columns.push(mapping.event.column);
  if (mapping.identifiers.userId) columns.push(mapping.identifiers.userId);
  if (mapping.identifiers.anonymousId) columns.push(mapping.identifiers.anonymousId);
  if (mapping.messageId) columns.push(mapping.messageId);
  for (const value of [...Object.values(mapping.properties), ...Object.values(mapping.traits)]) {
    columns.push(mappedValue(value).column);
  }
  return [...new Set(columns)];
}
