import type { JsonObject } from '@bufbuild/protobuf';

import { MalformedRowError } from './errors.js';
import { recordMessageId } from './import-record.js';
import type { ImportRecord } from './import-record.js';
import { cell, csvFields, readCsvRows } from './internal/csv-records.js';
import type { CsvRecord } from './internal/csv-records.js';

/** Columns of the REES46 e-commerce events CSV, in file order. */
export const REES46_COLUMNS = [
  'event_time',
  'event_type',
  'product_id',
  'category_id',
  'category_code',
  'brand',
  'price',
  'user_id',
  'user_session',
] as const;

/** REES46 `event_type` to the Segment e-commerce event it becomes. */
export const REES46_EVENTS = {
  view: 'Product Viewed',
  cart: 'Product Added',
  remove_from_cart: 'Product Removed',
  purchase: 'Order Completed',
} as const;

/** Options of {@link readRees46}. */
export interface Rees46Options {
  /** Told the size of each chunk read from the file. */
  onBytes?: (bytes: number) => void;
}

const EVENT_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/;
const DIGITS = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Streams the REES46 e-commerce events CSV as one Segment `track` call a row
 * (`messageId` `rees46-<line>-<digest>`, see `recordMessageId`). Ids, `category_id` included, stay
 * the text of the file: a 19-digit id is never read as a number. A bad row
 * throws {@link MalformedRowError} naming the line and the column.
 */
export async function* readRees46(
  path: string,
  options: Rees46Options = {},
): AsyncGenerator<ImportRecord> {
  const rows = readCsvRows(path, { required: REES46_COLUMNS, onBytes: options.onBytes });
  for await (const { record, line } of rows) {
    const call = rees46Call(record, (column, expected) => {
      const got = JSON.stringify(record[column] ?? '');
      throw new MalformedRowError(path, line, `'${column}' ${expected}, got ${got}`);
    });
    call.messageId = recordMessageId('rees46', line, csvFields(record));
    yield { call, line };
  }
}

type Fail = (column: string, expected: string) => never;

/** One row as a track call without its message id. */
function rees46Call(record: CsvRecord, fail: Fail): JsonObject {
  const eventType = cell(record, 'event_type');
  if (!Object.hasOwn(REES46_EVENTS, eventType)) {
    fail('event_type', `must be one of ${Object.keys(REES46_EVENTS).join(', ')}`);
  }
  const time = EVENT_TIME.exec(cell(record, 'event_time'));
  if (!time) fail('event_time', "must look like '2019-10-01 00:00:00 UTC'");
  const product = rees46Product(record, fail);
  const userId = required(record, 'user_id', DIGITS, 'must be digits', fail);
  const session = cell(record, 'user_session');

  const event = REES46_EVENTS[eventType as keyof typeof REES46_EVENTS];
  const properties: JsonObject =
    event === 'Order Completed'
      ? { revenue: product.price as number, products: [product] }
      : { ...product };
  if (session) properties.session_id = session;
  return { type: 'track', event, userId, timestamp: `${time[1]}T${time[2]}Z`, properties };
}

function rees46Product(record: CsvRecord, fail: Fail): JsonObject {
  const productId = required(record, 'product_id', DIGITS, 'must be digits', fail);
  const categoryId = required(record, 'category_id', DIGITS, 'must be digits', fail);
  const price = required(record, 'price', DECIMAL, 'must be a non-negative decimal', fail);
  const product: JsonObject = {
    product_id: productId,
    category_id: categoryId,
    price: Number(price),
    quantity: 1,
  };
  const categoryCode = cell(record, 'category_code');
  const brand = cell(record, 'brand');
  product.category = categoryCode || categoryId;
  if (brand) product.brand = brand;
  return product;
}

function required(
  record: CsvRecord,
  column: string,
  pattern: RegExp,
  expected: string,
  fail: Fail,
): string {
  const text = cell(record, column);
  if (!pattern.test(text)) fail(column, expected);
  return text;
}
