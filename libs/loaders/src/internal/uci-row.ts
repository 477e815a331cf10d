import { DateTime } from 'luxon';

import { MalformedRowError } from '../errors.js';
import { parseFixed } from './fixed-point.js';

/** Columns of the UCI Online Retail CSV, in file order. */
export const UCI_COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
] as const;

/** One CSV record as csv-parse gives it: column name to raw text. */
export type UciRecord = Record<string, string | undefined>;

/** One invoice line, checked and converted. */
export interface UciRow {
  invoiceNo: string;
  stockCode: string;
  description: string;
  quantity: number;
  invoiceTime: DateTime;
  /** UnitPrice as written, e.g. `2.55`. */
  unitPrice: string;
  /** UnitPrice in fixed-point units (see PRICE_SCALE). */
  unitPriceUnits: number;
  /** CustomerID without its `.0`; undefined for buyers without an account. */
  customerId: string | undefined;
  country: string;
}

/** Where a row came from, to name it in errors. */
export interface RowSource {
  path: string;
  line: number;
  zone: string;
}

const INVOICE_NO = /^[A-Z]?\d+$/;
const QUANTITY = /^-?\d+$/;
const CUSTOMER_ID = /^(\d+)(?:\.0+)?$/;
const INVOICE_DATE_FORMAT = 'yyyy-MM-dd HH:mm:ss';

/** What each checked column must hold, for error reasons. */
const EXPECTED = {
  InvoiceNo: 'must be digits after an optional capital letter',
  StockCode: 'must not be empty',
  Quantity: 'must be an integer',
  UnitPrice: 'must be a decimal with at most 4 places',
  InvoiceDate: `must be a valid ${INVOICE_DATE_FORMAT}`,
  CustomerID: 'must be empty or an integer',
} as const;

type UciColumn = (typeof UCI_COLUMNS)[number];

/** Checks and converts one record; throws MalformedRowError naming the line. */
export function readUciRow(record: UciRecord, source: RowSource): UciRow {
  const text = (column: UciColumn) => (record[column] ?? '').trim();
  const must = <T>(column: keyof typeof EXPECTED, value: T | undefined): T => {
    if (value !== undefined) return value;
    const got = JSON.stringify(record[column]);
    const reason = `'${column}' ${EXPECTED[column]}, got ${got}`;
    throw new MalformedRowError(source.path, source.line, reason);
  };

  const invoiceNo = must('InvoiceNo', matching(INVOICE_NO, text('InvoiceNo')));
  const stockCode = must('StockCode', text('StockCode') || undefined);
  const quantity = must('Quantity', matching(QUANTITY, text('Quantity')));
  const unitPrice = text('UnitPrice');
  const unitPriceUnits = must('UnitPrice', parseFixed(unitPrice));
  const invoiceTime = must('InvoiceDate', localTime(text('InvoiceDate'), source.zone));
  const customerText = text('CustomerID');
  const customerId = customerText
    ? must('CustomerID', CUSTOMER_ID.exec(customerText)?.[1])
    : undefined;

  return {
    invoiceNo,
    stockCode,
    description: text('Description'),
    quantity: Number(quantity),
    invoiceTime,
    unitPrice,
    unitPriceUnits,
    customerId,
    country: text('Country'),
  };
}

function matching(pattern: RegExp, text: string): string | undefined {
  return pattern.test(text) ? text : undefined;
}

// Lines of an invoice share their time, and luxon's parse dominates a row's
// cost: remember the last text read in each zone.
const lastParsed = new Map<string, { text: string; time: DateTime | undefined }>();

function localTime(text: string, zone: string): DateTime | undefined {
  const last = lastParsed.get(zone);
  if (last?.text === text) return last.time;
  const parsed = DateTime.fromFormat(text, INVOICE_DATE_FORMAT, { zone });
  const time = parsed.isValid ? parsed : undefined;
  lastParsed.set(zone, { text, time });
  return time;
}

/** Throws unless the header has every UCI column. */
export function checkUciHeader(columns: readonly string[], path: string): void {
  const missing = UCI_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    const reason = `header lacks column(s) ${missing.join(', ')}`;
    throw new MalformedRowError(path, 1, reason);
  }
}
