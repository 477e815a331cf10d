import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';

import { EVENT_MAX_BYTES } from '@pulse/events';
import type { SegmentCall } from '@pulse/events';
import { CsvError, parse } from 'csv-parse';
import type { Info } from 'csv-parse';
import { IANAZone } from 'luxon';

import { MalformedRowError } from './errors.js';
import { Invoice } from './internal/invoice.js';
import { checkUciHeader, readUciRow } from './internal/uci-row.js';
import type { RowSource, UciRecord } from './internal/uci-row.js';

/** Options of {@link readUciOnlineRetail}. */
export interface UciOnlineRetailOptions {
  /**
   * IANA zone of the naive `InvoiceDate` values.
   * @default 'Europe/London'
   */
  zone?: string;
  /**
   * Largest call in bytes of compact JSON; bigger invoices are split.
   * @default EVENT_MAX_BYTES (32 KB), what `normalizeEvent` accepts
   */
  maxCallBytes?: number;
  /** Told the size of each chunk read from the file. */
  onBytes?: (bytes: number) => void;
}

/** Zone of the retailer's clock: UK local time. */
export const UCI_DEFAULT_ZONE = 'Europe/London';

/**
 * Streams the UCI Online Retail CSV as one Segment `track` call per invoice
 * ('Order Completed', or 'Order Refunded' for `C` invoices), split into parts
 * only past `maxCallBytes`. Rows of an invoice must be consecutive; a
 * malformed row or a reappearing invoice throws {@link MalformedRowError}.
 */
export async function* readUciOnlineRetail(
  path: string,
  options: UciOnlineRetailOptions = {},
): AsyncGenerator<SegmentCall> {
  const zone = options.zone ?? UCI_DEFAULT_ZONE;
  const maxCallBytes = options.maxCallBytes ?? EVENT_MAX_BYTES;
  if (!IANAZone.isValidZone(zone)) {
    throw new RangeError(`'zone' must be an IANA time zone, got '${zone}'`);
  }
  if (!(maxCallBytes > 0)) {
    throw new RangeError(`'maxCallBytes' must be a positive number`);
  }

  let current: Invoice | undefined;
  // Invoice number -> line where its rows ended; reappearing is an error.
  const ended = new Map<string, number>();
  let previousLine = 1;
  for await (const { record, info } of readRecords(path, options.onBytes)) {
    const source: RowSource = { path, line: info.lines, zone };
    const row = readUciRow(record, source);

    if (current?.invoiceNo === row.invoiceNo) {
      current.add(row, source);
    } else {
      if (current) {
        ended.set(current.invoiceNo, previousLine);
        yield* current.toCalls(maxCallBytes);
      }
      checkNotEnded(ended, row.invoiceNo, source);
      current = new Invoice(row);
    }
    previousLine = info.lines;
  }
  if (current) yield* current.toCalls(maxCallBytes);
}

function checkNotEnded(ended: Map<string, number>, invoiceNo: string, source: RowSource) {
  const endLine = ended.get(invoiceNo);
  if (endLine === undefined) return;
  const reason =
    `invoice ${invoiceNo} reappears after its rows ended at line ${endLine}; ` +
    'rows of an invoice must be consecutive';
  throw new MalformedRowError(source.path, source.line, reason);
}

interface CsvRecord {
  record: UciRecord;
  info: Info;
}

/** CSV records with their position; parse errors become MalformedRowError. */
async function* readRecords(
  path: string,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<CsvRecord> {
  const columns = (header: string[]) => {
    checkUciHeader(header, path);
    return header;
  };
  const csvOptions = { columns, bom: true, info: true, skip_empty_lines: true };
  const parser = parse(csvOptions);
  // pipeline() destroys the parser when the file fails (ENOENT), ending the loop.
  const file = createReadStream(path);
  if (onBytes) file.on('data', (chunk) => onBytes(chunk.length));
  pipeline(file, parser, () => {});
  try {
    for await (const item of parser) yield item as CsvRecord;
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = typeof err.lines === 'number' ? err.lines : 0;
    throw new MalformedRowError(path, line, err.message, { cause: err });
  }
}
