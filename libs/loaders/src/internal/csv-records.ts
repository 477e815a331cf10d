import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';

import { CsvError, parse } from 'csv-parse';
import type { Info } from 'csv-parse';

import { MalformedRowError } from '../errors.js';

/** One CSV record by column name, as text (never cast: ids stay exact). */
export type CsvRecord = Record<string, string | undefined>;

/** A record and the 1-based line where it ends. */
export interface CsvRow {
  record: CsvRecord;
  line: number;
}

/** Options of {@link readCsvRows}. */
export interface CsvRowsOptions {
  /** Columns the header must have; others are allowed and ignored. */
  required: readonly string[];
  /** @default ',' */
  delimiter?: string;
  /** Told the size of each chunk read from the file. */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams a CSV file with a header as text records with their line. A header
 * without a required column, a wrong field count or an unclosed quote throws
 * {@link MalformedRowError} naming the line.
 */
export async function* readCsvRows(path: string, options: CsvRowsOptions): AsyncGenerator<CsvRow> {
  const columns = (header: string[]) => {
    const trimmed = header.map((name) => name.trim());
    const missing = options.required.filter((column) => !trimmed.includes(column));
    if (missing.length > 0) {
      throw new MalformedRowError(path, 1, `header lacks column(s) ${missing.join(', ')}`);
    }
    return trimmed;
  };
  const parser = parse({
    columns,
    bom: true,
    info: true,
    skip_empty_lines: true,
    delimiter: options.delimiter ?? ',',
  });
  const file = createReadStream(path);
  if (options.onBytes) {
    const onBytes = options.onBytes;
    file.on('data', (chunk) => onBytes(chunk.length));
  }
  // pipeline() destroys the parser when the file fails (ENOENT), ending the loop.
  pipeline(file, parser, () => {});
  try {
    for await (const item of parser) {
      const { record, info } = item as { record: CsvRecord; info: Info };
      yield { record, line: info.lines };
    }
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = typeof err.lines === 'number' ? err.lines : 0;
    throw new MalformedRowError(path, line, err.message, { cause: err });
  }
}

/** A cell's trimmed text; '' when absent. */
export function cell(record: CsvRecord, column: string): string {
  return (record[column] ?? '').trim();
}

/** A record's fields as read, in header order: the content its message id hashes. */
export function csvFields(record: CsvRecord): string[] {
  return Object.values(record).map((value) => value ?? '');
}
