import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isMalformedRowError, readUciOnlineRetail } from '../src/index.js';
import type { MalformedRowError } from '../src/index.js';
import { collect, tempCsvDir, UCI_HEADER } from './fixtures.js';

let csv: Awaited<ReturnType<typeof tempCsvDir>>;
beforeAll(async () => {
  csv = await tempCsvDir();
});
afterAll(() => csv.cleanup());

const readAll = async (lines: string[], zone?: string) =>
  collect(readUciOnlineRetail(await csv.write([UCI_HEADER, ...lines]), { zone }));

async function malformed(lines: string[]): Promise<MalformedRowError> {
  const error: unknown = await readAll(lines).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (isMalformedRowError(error)) return error;
  throw new Error(`expected a MalformedRowError, got ${String(error)}`);
}

describe('readUciOnlineRetail', () => {
  it('turns consecutive rows of an invoice into one Order Completed call', async () => {
    const calls = await readAll([
      '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      '536365,71053,WHITE METAL LANTERN ,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
      '536366,51014C,"FEATHER PEN,COAL BLACK",12,2010-12-01 08:28:00,0.85,,France',
    ]);

    expect(calls).toEqual([
      {
        type: 'track',
        event: 'Order Completed',
        messageId: 'uci-536365',
        timestamp: '2010-12-01T08:26:00+00:00',
        userId: '17850',
        context: { traits: { country: 'United Kingdom' } },
        properties: {
          order_id: '536365',
          revenue: 35.64, // 6 × 2.55 + 6 × 3.39 = 15.30 + 20.34
          currency: 'GBP',
          country: 'United Kingdom',
          products: [
            {
              product_id: '85123A',
              name: 'WHITE HANGING HEART T-LIGHT HOLDER',
              price: 2.55,
              quantity: 6,
              category: 'HOLDER',
            },
            {
              product_id: '71053',
              name: 'WHITE METAL LANTERN',
              price: 3.39,
              quantity: 6,
              category: 'LANTERN',
            },
          ],
        },
      },
      {
        type: 'track',
        event: 'Order Completed',
        messageId: 'uci-536366',
        timestamp: '2010-12-01T08:28:00+00:00',
        anonymousId: 'uci-invoice-536366',
        properties: {
          order_id: '536366',
          revenue: 10.2, // 12 × 0.85
          currency: 'GBP',
          country: 'France',
          products: [
            {
              product_id: '51014C',
              name: 'FEATHER PEN,COAL BLACK',
              price: 0.85,
              quantity: 12,
              category: 'BLACK',
            },
          ],
        },
      },
    ]);
  });

  it('makes a C invoice an Order Refunded call with negative revenue', async () => {
    const [call] = await readAll([
      'C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom',
      'C536379,22556,PLASTERS IN TIN CIRCUS PARADE ,-12,2010-12-01 09:41:00,1.65,14527.0,United Kingdom',
    ]);
    expect([call?.event, call?.messageId, call?.properties?.order_id]).toEqual([
      'Order Refunded',
      'uci-C536379',
      'C536379',
    ]);
    // -1 × 27.50 - 12 × 1.65 = -27.50 - 19.80
    expect(call?.properties?.revenue).toBe(-47.3);
  });

  it('sums in fixed point and rounds half a penny away from zero', async () => {
    // 1.005 × 1 is 100.5 pence, which float math (1.005 * 100 = 100.49999…) would round down.
    const calls = await readAll([
      '1,A,X,1,2010-12-01 09:00:00,1.005,,United Kingdom',
      'C2,A,X,-1,2010-12-01 09:00:00,1.005,,United Kingdom',
      '3,A,X,3,2010-12-01 09:00:00,0.1,,United Kingdom',
    ]);
    expect(calls.map((call) => call.properties?.revenue)).toEqual([1.01, -1.01, 0.3]);
  });

  it('splits an invoice too large for one call into numbered parts', async () => {
    const name = (letter: string) => letter.repeat(100);
    const lines = ['A', 'B', 'C'].map(
      (letter, i) => `1,${letter},${name(letter)},${i + 1},2010-12-01 09:00:00,1.5,,United Kingdom`,
    );
    const file = await csv.write([UCI_HEADER, ...lines]);
    // Each product is 267 bytes of JSON (name and category of 100 letters) and the
    // widest envelope 285, so 600 bytes hold one product per call but not two.
    const calls = await collect(readUciOnlineRetail(file, { maxCallBytes: 600 }));

    expect(calls.map((call) => call.messageId)).toEqual(['uci-1', 'uci-1-2', 'uci-1-3']);
    expect(calls.map((call) => JSON.stringify(call).length <= 600)).toEqual([true, true, true]);
    expect(calls.map((call) => call.properties?.invoice_part)).toEqual([1, 2, 3]);
    expect(calls.map((call) => call.properties?.invoice_parts)).toEqual([3, 3, 3]);
    // The order carries the whole invoice, 1 × 1.50 + 2 × 1.50 + 3 × 1.50 = 9.00;
    // the other parts only add their lines.
    expect(calls.map((call) => call.event)).toEqual([
      'Order Completed',
      'Order Lines',
      'Order Lines',
    ]);
    expect(calls.map((call) => call.properties?.revenue)).toEqual([9, undefined, undefined]);
    expect(calls.map((call) => call.anonymousId)).toEqual(Array(3).fill('uci-invoice-1'));
  });

  it('dates an invoice whose lines span minutes at its first line', async () => {
    const [call] = await readAll([
      '536591,85064,CREAM SWEETHEART LETTER RACK,2,2010-12-01 16:58:00,5.45,14606.0,United Kingdom',
      '536591,21427,SKULLS STORAGE BOX SMALL,1,2010-12-01 16:57:00,2.1,14606.0,United Kingdom',
    ]);
    expect(call?.timestamp).toBe('2010-12-01T16:57:00+00:00');
  });

  it.each([
    ['London in summer', undefined, '2010-07-01 08:26:00', '2010-07-01T08:26:00+01:00'],
    ['New York in winter', 'America/New_York', '2010-12-01 08:26:00', '2010-12-01T08:26:00-05:00'],
    ['Tokyo', 'Asia/Tokyo', '2010-12-01 08:26:00', '2010-12-01T08:26:00+09:00'],
  ])('reads InvoiceDate as local time: %s', async (_label, zone, local, expected) => {
    const [call] = await readAll([`1,A,X,1,${local},1,,United Kingdom`], zone);
    expect(call?.timestamp).toBe(expected);
  });

  it('lets a consumer stop early', async () => {
    const file = await csv.write([
      UCI_HEADER,
      '1,A,X,1,2010-12-01 09:00:00,1,,UK',
      '2,A,X,1,2010-12-01 09:00:00,1,,UK',
    ]);
    for await (const call of readUciOnlineRetail(file)) {
      expect(call.messageId).toBe('uci-1');
      break;
    }
  });

  it('rejects an unknown zone before reading', async () => {
    const read = collect(readUciOnlineRetail('/nonexistent.csv', { zone: 'Mars/Base' }));
    await expect(read).rejects.toThrow(RangeError);
  });

  it('fails on a missing file instead of hanging', async () => {
    const read = collect(readUciOnlineRetail('/nonexistent/uci.csv'));
    await expect(read).rejects.toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('readUciOnlineRetail on malformed input', () => {
  const good = '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom';

  it.each([
    ['a word for Quantity', '536365,71053,LANTERN,six,2010-12-01 08:26:00,3.39,,UK', 'Quantity'],
    ['a fractional Quantity', '536365,71053,LANTERN,1.5,2010-12-01 08:26:00,3.39,,UK', 'Quantity'],
    ['an impossible date', '536365,71053,LANTERN,6,2010-02-30 08:26:00,3.39,,UK', 'InvoiceDate'],
    ['a day-first date', '536365,71053,LANTERN,6,01/12/2010 08:26,3.39,,UK', 'InvoiceDate'],
    [
      'a price with a currency sign',
      '536365,71053,LANTERN,6,2010-12-01 08:26:00,£3.39,,UK',
      'UnitPrice',
    ],
    [
      'a price below 1/10,000',
      '536365,71053,LANTERN,6,2010-12-01 08:26:00,0.00001,,UK',
      'UnitPrice',
    ],
    [
      'a fractional CustomerID',
      '536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.5,UK',
      'CustomerID',
    ],
    ['an empty InvoiceNo', ',71053,LANTERN,6,2010-12-01 08:26:00,3.39,,UK', 'InvoiceNo'],
    ['an empty StockCode', '536365,,LANTERN,6,2010-12-01 08:26:00,3.39,,UK', 'StockCode'],
  ])('names line 3 and the column for %s', async (_label, row, column) => {
    const error = await malformed([good, row]);
    expect(error.line).toBe(3);
    expect(error.reason).toContain(`'${column}'`);
  });

  it('names the line of a row with too few fields', async () => {
    expect((await malformed([good, good, '536365,71053,LANTERN'])).line).toBe(4);
  });

  it('names the line where an unclosed quote ends the file', async () => {
    expect((await malformed([good, '536365,71053,"LANTERN,6,x,1,,UK'])).line).toBe(3);
  });

  it.each([
    ['with rows', ['Invoice,Stock,Description', '1,A,X']],
    ['and no rows', ['InvoiceNo,StockCode,Description']],
  ])('rejects a header without the UCI columns %s at line 1', async (_label, lines) => {
    const error: unknown = await collect(readUciOnlineRetail(await csv.write(lines))).catch(
      (err: unknown) => err,
    );
    expect(isMalformedRowError(error) && [error.line, error.reason]).toEqual([
      1,
      expect.stringContaining('Quantity'),
    ]);
  });

  it('rejects an invoice whose customer changes between rows', async () => {
    const other = good.replace('17850.0', '13047.0');
    const error = await malformed([good, other]);
    expect([error.line, error.reason]).toEqual([3, expect.stringContaining('customerId')]);
  });

  it('rejects an invoice that reappears after another, naming both lines', async () => {
    // A second call under the same messageId would be dropped as a duplicate,
    // losing its revenue, so the loader refuses split invoices.
    const error = await malformed([
      good,
      '536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom',
      good,
    ]);
    expect(error.line).toBe(4);
    expect(error.reason).toContain('invoice 536365 reappears after its rows ended at line 2');
  });
});
