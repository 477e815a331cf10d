import type { JsonObject } from '@bufbuild/protobuf';

import { MalformedRowError } from './errors.js';
import { recordMessageId } from './import-record.js';
import type { ImportRecord } from './import-record.js';
import { cell, csvFields, readCsvRows } from './internal/csv-records.js';
import type { CsvRecord } from './internal/csv-records.js';

/** Columns of the RetailRocket events CSV, in file order. */
export const RETAILROCKET_COLUMNS = [
  'timestamp',
  'visitorid',
  'event',
  'itemid',
  'transactionid',
] as const;

/** RetailRocket `event` to the Segment e-commerce event it becomes. */
export const RETAILROCKET_EVENTS = {
  view: 'Product Viewed',
  addtocart: 'Product Added',
  transaction: 'Order Completed',
} as const;

/** Options of {@link readRetailRocket}. */
export interface RetailRocketOptions {
  /** Told the size of each chunk read from the file. */
  onBytes?: (bytes: number) => void;
}

const DIGITS = /^\d+$/;
/** Epoch milliseconds must land in years 1970 to 9999. */
const MAX_EPOCH_MS = 253_402_300_799_999;

/**
 * Streams the RetailRocket events CSV as one Segment `track` call a row
 * (`messageId` `retailrocket-<line>-<digest>`). `visitorid` becomes the
 * `anonymousId` (the data has no accounts); a transaction becomes an
 * `Order Completed` with `order_id` = `transactionid` and the item, without
 * revenue since the file has no prices. A bad row throws
 * {@link MalformedRowError} naming the line and the column.
 */
export async function* readRetailRocket(
  path: string,
  options: RetailRocketOptions = {},
): AsyncGenerator<ImportRecord> {
  const rows = readCsvRows(path, { required: RETAILROCKET_COLUMNS, onBytes: options.onBytes });
  for await (const { record, line } of rows) {
    const call = retailRocketCall(record, (column, expected) => {
      const got = JSON.stringify(record[column] ?? '');
      throw new MalformedRowError(path, line, `'${column}' ${expected}, got ${got}`);
    });
    call.messageId = recordMessageId('retailrocket', line, csvFields(record));
    yield { call, line };
  }
}

type Fail = (column: string, expected: string) => never;

function retailRocketCall(record: CsvRecord, fail: Fail): JsonObject {
  const kind = cell(record, 'event');
  if (!Object.hasOwn(RETAILROCKET_EVENTS, kind)) {
    fail('event', `must be one of ${Object.keys(RETAILROCKET_EVENTS).join(', ')}`);
  }
  const timestamp = epochMs(cell(record, 'timestamp'), fail);
  const visitorId = digits(record, 'visitorid', fail);
  const itemId = digits(record, 'itemid', fail);
  const transactionId = cell(record, 'transactionid');

  const event = RETAILROCKET_EVENTS[kind as keyof typeof RETAILROCKET_EVENTS];
  let properties: JsonObject = { product_id: itemId };
  if (event === 'Order Completed') {
    if (!DIGITS.test(transactionId)) fail('transactionid', 'must be digits for a transaction');
    properties = { order_id: transactionId, products: [{ product_id: itemId, quantity: 1 }] };
  } else if (transactionId) {
    fail('transactionid', `must be empty for ${kind}`);
  }
  return { type: 'track', event, anonymousId: visitorId, timestamp, properties };
}

function epochMs(text: string, fail: Fail): string {
  const ms = DIGITS.test(text) ? Number(text) : NaN;
  if (!(ms <= MAX_EPOCH_MS)) fail('timestamp', 'must be epoch milliseconds');
  return new Date(ms).toISOString();
}

function digits(record: CsvRecord, column: string, fail: Fail): string {
  const text = cell(record, column);
  if (!DIGITS.test(text)) fail(column, 'must be digits');
  return text;
}
