import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { DateTime } from 'luxon';

import { loadColumnMapping, mappedColumns, mappedValue } from './column-mapping.js';
import type { ColumnMapping } from './column-mapping.js';
import { MalformedRowError } from './errors.js';
import { recordMessageId } from './import-record.js';
import type { ImportRecord } from './import-record.js';
import { cell, csvFields, readCsvRows } from './internal/csv-records.js';
import type { CsvRecord } from './internal/csv-records.js';

/** Options of {@link readMappedCsv}. */
export interface MappedCsvOptions {
  /** The YAML column-mapping file (see the README). */
  mapping: string;
  /** Told the size of each chunk read from the file. */
  onBytes?: (bytes: number) => void;
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const EPOCH = /^\d+(?:\.\d+)?$/;

type Fail = (column: string, expected: string) => never;

/**
 * Streams any CSV with a header as Segment calls described by a YAML column
 * mapping: one call a row, `messageId` from the mapped column or
 * `mapping-<line>-<digest>`. Empty cells are left out. A bad row throws
 * {@link MalformedRowError} naming the line and the column.
 */
export async function* readMappedCsv(
  path: string,
  options: MappedCsvOptions,
): AsyncGenerator<ImportRecord> {
  const mapping = await loadColumnMapping(options.mapping);
  const rows = readCsvRows(path, {
    required: mappedColumns(mapping),
    delimiter: mapping.delimiter,
    onBytes: options.onBytes,
  });
  for await (const { record, line } of rows) {
    const call = mappedCall(mapping, record, (column, expected) => {
      const got = JSON.stringify(record[column] ?? '');
      throw new MalformedRowError(path, line, `'${column}' ${expected}, got ${got}`);
    });
    const ownId = mapping.messageId ? cell(record, mapping.messageId) : '';
    call.messageId = ownId || recordMessageId('mapping', line, csvFields(record));
    yield { call, line };
  }
}

function mappedCall(mapping: ColumnMapping, record: CsvRecord, fail: Fail): JsonObject {
  const call: JsonObject = { type: mapping.type };
  call.timestamp = readTimestamp(mapping.timestamp, record, fail);

  const { userId, anonymousId } = mapping.identifiers;
  if (userId && cell(record, userId)) call.userId = cell(record, userId);
  if (anonymousId && cell(record, anonymousId)) call.anonymousId = cell(record, anonymousId);

  const name = eventName(mapping, record, fail);
  if (name !== undefined) call[mapping.type === 'track' ? 'event' : 'name'] = name;

  const properties = readValues(mapping.properties, record, fail);
  const traits = readValues(mapping.traits, record, fail);
  if (Object.keys(properties).length > 0 || mapping.type !== 'identify') {
    call.properties = properties;
  }
  if (Object.keys(traits).length > 0) call.traits = traits;
  return call;
}

function eventName(mapping: ColumnMapping, record: CsvRecord, fail: Fail): string | undefined {
  const event = mapping.event;
  if (!event) return undefined;
  if ('value' in event) return event.value;
  const text = cell(record, event.column);
  if (!text) fail(event.column, 'must name the event');
  return event.values?.[text] ?? text;
}

function readValues(
  values: ColumnMapping['properties'],
  record: CsvRecord,
  fail: Fail,
): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(values)) {
    const { column, type } = mappedValue(value);
    const text = cell(record, column);
    if (text === '') continue;
    if (type === 'number' && !DECIMAL.test(text)) fail(column, 'must be a decimal number');
    result[key] = (type === 'number' ? Number(text) : text) satisfies JsonValue;
  }
  return result;
}

function readTimestamp(spec: ColumnMapping['timestamp'], record: CsvRecord, fail: Fail): string {
  const text = cell(record, spec.column);
  let time: DateTime;
  if (spec.format === 'epoch_ms' || spec.format === 'epoch_s') {
    if (!EPOCH.test(text)) fail(spec.column, `must be ${spec.format.replace('_', ' ')}`);
    time = DateTime.fromMillis(epochMs(text, spec.format), { zone: 'UTC' });
  } else if (spec.format === 'iso') {
    time = DateTime.fromISO(text, { zone: spec.zone, setZone: true });
  } else {
    time = DateTime.fromFormat(text, spec.format, { zone: spec.zone });
  }
  if (!time.isValid) fail(spec.column, `must be a time in the format '${spec.format}'`);
  return time.toISO({ suppressMilliseconds: true })!;
}

/** Epoch text to whole milliseconds, from the digits (no float scaling). */
function epochMs(text: string, format: 'epoch_ms' | 'epoch_s'): number {
  const [whole = '', fraction = ''] = text.split('.');
  if (format === 'epoch_ms') return Number(whole);
  return Number(whole) * 1_000 + Number(fraction.padEnd(3, '0').slice(0, 3));
}
