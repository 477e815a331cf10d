import type { JsonObject } from '@bufbuild/protobuf';
import { jsonByteLength } from '@pulse/events';
import type { SegmentCall } from '@pulse/events';

import { MalformedRowError } from '../errors.js';
import { productCategory } from '../product-category.js';
import { unitsToPence } from './fixed-point.js';
import type { RowSource, UciRow } from './uci-row.js';

/** Event names of the Segment e-commerce spec used for invoices. */
const ORDER_COMPLETED = 'Order Completed';
const ORDER_REFUNDED = 'Order Refunded';

/**
 * Names of the calls that carry the rest of a split invoice's lines. They hold
 * products and no revenue, so an order is counted once, by its first call.
 */
const ORDER_LINES = 'Order Lines';
const REFUND_LINES = 'Refund Lines';

/** Which part of a split invoice a call carries, 1-based. */
interface Part {
  invoice_part: number;
  invoice_parts: number;
}

/** Values as wide as any real one, to size a call before its parts are known. */
const WIDEST_PART: Part = { invoice_part: 9999, invoice_parts: 9999 };
const WIDEST_REVENUE = -999_999_999.99;

/**
 * The rows of one invoice, gathered until the next invoice starts.
 * Invariant: every row shares the first row's invoice, customer and country.
 */
export class Invoice {
  readonly invoiceNo: string;

  private readonly rows: UciRow[] = [];

  constructor(first: UciRow) {
    this.invoiceNo = first.invoiceNo;
    this.rows.push(first);
  }

  /** Adds a row of this invoice; a changed customer or country is malformed. */
  add(row: UciRow, source: RowSource): void {
    const first = this.rows[0]!;
    for (const key of ['customerId', 'country'] as const) {
      if (row[key] !== first[key]) {
        const change = `from ${first[key] ?? 'none'} to ${row[key] ?? 'none'}`;
        const reason = `invoice ${this.invoiceNo} changes ${key} ${change}`;
        throw new MalformedRowError(source.path, source.line, reason);
      }
    }
    this.rows.push(row);
  }

  /**
   * The invoice as Segment track calls: one, unless its JSON would exceed
   * `maxBytes`. Then the first call is the order ('Order Completed' or
   * 'Order Refunded') with the whole invoice's revenue and the lines that
   * fit; the rest follow in 'Order Lines' (or 'Refund Lines') calls with
   * their lines and no revenue. All share `order_id` and are numbered by
   * `invoice_part` and `invoice_parts`.
   */
  toCalls(maxBytes: number): SegmentCall[] {
    const whole = this.toCall(this.rows);
    if (jsonByteLength(whole) <= maxBytes) return [whole];

    const parts = this.splitRows(maxBytes);
    const totalRevenue = revenuePence(this.rows) / 100;
    return parts.map((rows, index) => {
      const part: Part = { invoice_part: index + 1, invoice_parts: parts.length };
      return this.toCall(rows, part, index === 0 ? totalRevenue : undefined);
    });
  }

  /** Greedy runs of rows whose products fit beside the widest envelope. */
  private splitRows(maxBytes: number): UciRow[][] {
    // The order call carries revenue and currency, the line calls a wider part number.
    const headEnvelope = this.toCall([], { ...WIDEST_PART, invoice_part: 1 }, WIDEST_REVENUE);
    const linesEnvelope = this.toCall([], WIDEST_PART);
    const budget = maxBytes - Math.max(jsonByteLength(headEnvelope), jsonByteLength(linesEnvelope));
    const parts: UciRow[][] = [[]];
    let used = 0;
    for (const row of this.rows) {
      // Each product costs its JSON plus one comma.
      const bytes = jsonByteLength(toProduct(row)) + 1;
      const current = parts.at(-1)!;
      if (current.length > 0 && used + bytes > budget) {
        parts.push([row]);
        used = bytes;
      } else {
        current.push(row);
        used += bytes;
      }
    }
    return parts;
  }

  private toCall(rows: UciRow[], part?: Part, revenue?: number): SegmentCall {
    const first = this.rows[0]!;
    const refund = this.invoiceNo.startsWith('C');
    const identity = first.customerId
      ? { userId: first.customerId }
      : { anonymousId: `uci-invoice-${this.invoiceNo}` };
    const partNumber = part?.invoice_part ?? 1;
    const idSuffix = partNumber === 1 ? '' : `-${partNumber}`;
    const head = partNumber === 1;
    const orderEvent = refund ? ORDER_REFUNDED : ORDER_COMPLETED;
    const linesEvent = refund ? REFUND_LINES : ORDER_LINES;
    const amounts: JsonObject = head
      ? { revenue: revenue ?? revenuePence(rows) / 100, currency: 'GBP' }
      : {};
    const numbering: JsonObject = part ? { ...part } : {};

    return {
      type: 'track',
      event: head ? orderEvent : linesEvent,
      messageId: `uci-${this.invoiceNo}${idSuffix}`,
      timestamp: this.earliestTime(),
      ...identity,
      ...(first.customerId ? { context: { traits: { country: first.country } } } : {}),
      properties: {
        order_id: this.invoiceNo,
        ...amounts,
        country: first.country,
        ...numbering,
        products: rows.map(toProduct),
      },
    };
  }

  /** The earliest line's time, when the invoice was opened; every part shares it. */
  private earliestTime(): string {
    const earlier = (a: UciRow, b: UciRow) =>
      b.invoiceTime.toMillis() < a.invoiceTime.toMillis() ? b : a;
    const earliest = this.rows.reduce(earlier);
    return earliest.invoiceTime.toISO({ suppressMilliseconds: true }) ?? '';
  }
}

/** Sum of Quantity × UnitPrice in integer units, rounded to pence once. */
function revenuePence(rows: UciRow[]): number {
  const lineUnits = rows.map((row) => row.quantity * row.unitPriceUnits);
  const units = lineUnits.reduce((sum, line) => sum + line, 0);
  return unitsToPence(units);
}

function toProduct(row: UciRow): JsonObject {
  return {
    product_id: row.stockCode,
    name: row.description,
    price: Number(row.unitPrice),
    quantity: row.quantity,
    category: productCategory(row.description),
  };
}
