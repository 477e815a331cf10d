import { readFileSync } from 'node:fs';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { IdentifierTypes, normalizeEvent } from '@pulse/events';
import type { SegmentCall } from '@pulse/events';
import { productCategory } from '@pulse/loaders';
import { EventSchema } from '@pulse/proto';
import { parse } from 'csv-parse/sync';
import { createRandom, zipfSampler } from './random.js';
import type { Random } from './random.js';

/** How the synthetic order stream is shaped. */
export interface OrderWorkloadOptions {
  events: number;
  /** @default 10_000 */
  customers?: number;
  /** Zipf exponent of orders per customer rank. @default 0.8 */
  zipfExponent?: number;
  /** Event times are spread evenly over this span, ending a minute before now. @default 28 days */
  spanMs?: number;
  /** @default 1 */
  seed?: number;
  /** Prefix of message ids, so two runs never collide in a dedupe index. */
  runId: string;
}

/** Encoded pulse.v1.Event messages and what a reader needs to know about them. */
export interface OrderWorkload {
  payloads: Uint8Array[];
  messageIds: string[];
  /** The user id of every event, in order: sampling it gives known, skewed customers. */
  userIds: string[];
  description: string;
  totalBytes: number;
}

/** One line item as the UCI Online Retail file lists it. */
interface CatalogueLine {
  stockCode: string;
  description: string;
  unitPrice: number;
  quantity: number;
  category: string;
}

interface Catalogue {
  lines: CatalogueLine[];
  countries: string[];
  refundShare: number;
}

const DAY_MS = 86_400_000;
const MAX_LINES_PER_ORDER = 10;
const MAX_QUANTITY = 200;
const BASKET_POOL_SIZE = 4_096;
const BASKET_SEED = 42;

/**
 * Builds UCI-shaped orders: one track 'Order Completed' (or, at the file's
 * own cancellation share, 'Order Refunded') with 1-10 line items drawn from
 * the file's rows, for customers picked with Zipf skew, each with one country.
 *
 * Encoding a Struct-heavy Event costs a few hundred microseconds, so baskets
 * come from a pool: each payload is an encoded basket followed by the event's
 * own fields, which protobuf decoding merges into one message.
 */
export function buildOrderWorkload(csvPath: string, options: OrderWorkloadOptions): OrderWorkload {
  const { catalogue, baskets } = basketPool(csvPath);
  const random = createRandom(options.seed ?? 1);
  const customers = options.customers ?? 10_000;
  const exponent = options.zipfExponent ?? 0.8;
  const pickCustomer = zipfSampler(customers, exponent, random);
  const countries = encodeCountries(catalogue.countries);
  const countryOf = Array.from({ length: customers }, () => pickFrom(countries, random));
  const spanMs = options.spanMs ?? 28 * DAY_MS;
  const endMs = Date.now() - 60_000;

  const workload: OrderWorkload = {
    payloads: [],
    messageIds: [],
    userIds: [],
    description: '',
    totalBytes: 0,
  };
  for (let i = 0; i < options.events; i += 1) {
    const rank = pickCustomer();
    const messageId = `${options.runId}-${i}`;
    const own = create(EventSchema, {
      messageId,
      timestamp: timestampFromMs(endMs - spanMs + Math.floor((i * spanMs) / options.events)),
      identifiers: [{ type: IdentifierTypes.USER_ID, value: `c${rank}` }],
      commerce: { orderId: messageId },
    });
    const parts = [pickFrom(baskets, random), countryOf[rank - 1]!, toBinary(EventSchema, own)];
    const payload = Buffer.concat(parts);
    workload.payloads.push(payload);
    workload.messageIds.push(messageId);
    workload.userIds.push(`c${rank}`);
    workload.totalBytes += payload.length;
  }
  checkMerged(workload);
  const avgBytes = Math.round(workload.totalBytes / Math.max(1, options.events));
  workload.description =
    `${options.events.toLocaleString('en')} UCI-shaped orders, 1-${MAX_LINES_PER_ORDER} lines, ` +
    `${customers.toLocaleString('en')} customers (Zipf s=${exponent}), ${avgBytes} B/event ` +
    `(baskets from a pool of ${BASKET_POOL_SIZE.toLocaleString('en')} normalized by @pulse/events)`;
  return workload;
}

const pools = new Map<string, { catalogue: Catalogue; baskets: Uint8Array[] }>();

/** The file's catalogue and a pool of encoded baskets, built once per file and process. */
function basketPool(csvPath: string): { catalogue: Catalogue; baskets: Uint8Array[] } {
  let pool = pools.get(csvPath);
  if (!pool) {
    const catalogue = readCatalogue(csvPath);
    const random = createRandom(BASKET_SEED);
    const baskets = Array.from({ length: BASKET_POOL_SIZE }, () => encodeBasket(catalogue, random));
    pools.set(csvPath, (pool = { catalogue, baskets }));
  }
  return pool;
}

/** One order body through the collector's normalization, without per-event fields. */
function encodeBasket(catalogue: Catalogue, random: Random): Uint8Array {
  const call = orderCall(catalogue, random);
  const event = normalizeEvent(call, { source: 'bench', receivedAtMs: Date.now() });
  event.messageId = '';
  event.identifiers = [];
  event.timestamp = undefined;
  event.commerce!.orderId = '';
  return toBinary(EventSchema, event);
}

function encodeCountries(countries: readonly string[]): Uint8Array[] {
  const encoded = new Map<string, Uint8Array>();
  for (const country of new Set(countries)) {
    encoded.set(country, toBinary(EventSchema, create(EventSchema, { traits: { country } })));
  }
  return countries.map((country) => encoded.get(country)!);
}

/** Decodes the first payload to prove the parts merge into the intended Event. */
function checkMerged(workload: OrderWorkload): void {
  if (workload.payloads.length === 0) return;
  const event = fromBinary(EventSchema, workload.payloads[0]!);
  const ok =
    event.messageId === workload.messageIds[0] &&
    event.identifiers.length === 1 &&
    event.identifiers[0]!.value === workload.userIds[0] &&
    event.commerce?.orderId === event.messageId &&
    (event.commerce?.products.length ?? 0) > 0 &&
    typeof event.traits?.country === 'string';
  if (!ok) throw new Error('order workload: merged payload does not decode as intended');
}

function orderCall(catalogue: Catalogue, random: Random): SegmentCall {
  const lineCount = 1 + Math.floor(random() * MAX_LINES_PER_ORDER);
  const refund = random() < catalogue.refundShare;
  const sign = refund ? -1 : 1;
  const products: JsonObject[] = [];
  let revenue = 0;
  for (let i = 0; i < lineCount; i += 1) {
    const line = pickFrom(catalogue.lines, random);
    revenue += line.unitPrice * line.quantity;
    products.push({
      product_id: line.stockCode,
      name: line.description,
      category: line.category,
      price: line.unitPrice,
      quantity: sign * line.quantity,
    });
  }
  return {
    type: 'track',
    event: refund ? 'Order Refunded' : 'Order Completed',
    userId: 'template',
    properties: {
      revenue: Math.round(sign * revenue * 100) / 100,
      currency: 'GBP',
      products,
    },
  };
}

/** Line items, customer countries and the cancellation share of the UCI file. */
function readCatalogue(csvPath: string): Catalogue {
  const rows: Record<string, string>[] = parse(readFileSync(csvPath), { columns: true });
  const lines: CatalogueLine[] = [];
  const countryByCustomer = new Map<string, string>();
  const invoices = new Set<string>();
  let cancelled = 0;
  for (const row of rows) {
    const invoice = row.InvoiceNo ?? '';
    if (!invoices.has(invoice)) {
      invoices.add(invoice);
      if (invoice.startsWith('C')) cancelled += 1;
    }
    if (row.CustomerID) countryByCustomer.set(row.CustomerID, row.Country ?? '');
    const quantity = Number(row.Quantity);
    const unitPrice = Number(row.UnitPrice);
    if (!(quantity > 0 && unitPrice > 0) || !row.StockCode || !row.Description) continue;
    lines.push({
      stockCode: row.StockCode,
      description: row.Description.trim(),
      unitPrice,
      quantity: Math.min(quantity, MAX_QUANTITY),
      category: productCategory(row.Description),
    });
  }
  if (lines.length === 0) throw new Error(`${csvPath}: no usable order lines`);
  return {
    lines,
    countries: [...countryByCustomer.values()],
    refundShare: cancelled / Math.max(1, invoices.size),
  };
}

function pickFrom<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)]!;
}
