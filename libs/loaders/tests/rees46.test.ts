import { normalizeEvent } from '@pulse/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MalformedRowError, readRees46 } from '../src/index.js';
import { collect, documentedId, rejection, tempFileDir } from './fixtures.js';

const HEADER =
  'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';

let files: Awaited<ReturnType<typeof tempFileDir>>;
beforeAll(async () => {
  files = await tempFileDir();
});
afterAll(() => files.cleanup());

const write = (rows: string[]) => files.write(`${[HEADER, ...rows].join('\n')}\n`);

describe('readRees46', () => {
  it('keeps every digit of a 19-digit category id', async () => {
    const file = await write([
      '2019-10-01 00:00:00 UTC,view,44600062,2053013555631882655,,shiseido,35.79,541312140,72d76fde',
    ]);
    const [record] = await collect(readRees46(file));
    const call = record!.call as { properties: Record<string, unknown> };

    expect(call.properties.category_id).toBe('2053013555631882655');
    // As a double it would become 2053013555631882752.
    expect(String(Number('2053013555631882655'))).not.toBe('2053013555631882655');
    const event = normalizeEvent(call, { source: 'test', receivedAtMs: Date.now() });
    expect(event.properties?.category_id).toBe('2053013555631882655');
  });

  it('maps the four event types to Segment e-commerce events, one call a row', async () => {
    const removed =
      '2019-10-01 00:00:09 UTC,remove_from_cart,3900821,2053013552326770905,,,33.20,554748717,';
    const file = await write([
      '2019-10-01 00:00:00 UTC,view,3900821,2053013552326770905,appliances.environment.water_heater,aqua,33.20,554748717,9333dfbd',
      '2019-10-01 00:00:05 UTC,cart,3900821,2053013552326770905,appliances.environment.water_heater,aqua,33.20,554748717,9333dfbd',
      removed,
      '2019-10-01 00:01:00 UTC,purchase,1004856,2053013555631882655,electronics.smartphone,samsung,130.76,554748717,9333dfbd',
    ]);
    const records = await collect(readRees46(file));

    expect(records.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(records.map((r) => (r.call as { event: string }).event)).toEqual([
      'Product Viewed',
      'Product Added',
      'Product Removed',
      'Order Completed',
    ]);
    expect(records[2]!.call).toEqual({
      type: 'track',
      event: 'Product Removed',
      userId: '554748717',
      timestamp: '2019-10-01T00:00:09Z',
      messageId: documentedId('rees46', 4, removed.split(',')),
      properties: {
        product_id: '3900821',
        category_id: '2053013552326770905',
        category: '2053013552326770905',
        price: 33.2,
        quantity: 1,
      },
    });
    expect(records[3]!.call).toMatchObject({
      timestamp: '2019-10-01T00:01:00Z',
      properties: {
        revenue: 130.76,
        session_id: '9333dfbd',
        products: [{ product_id: '1004856', category: 'electronics.smartphone', brand: 'samsung' }],
      },
    });
    for (const { call } of records) {
      expect(() => normalizeEvent(call, { source: 't', receivedAtMs: Date.now() })).not.toThrow();
    }
  });

  it('keeps a row id when another row changes, and tells equal rows apart', async () => {
    const row = '2019-10-01 00:00:00 UTC,view,1,2,,,1.00,3,s';
    const first = await collect(readRees46(await write([row, row, row])));
    const edited = await collect(readRees46(await write([row, row.replace('1.00', '2.00'), row])));
    const ids = (records: typeof first) =>
      records.map((r) => (r.call as { messageId: string }).messageId);

    expect(new Set(ids(first)).size).toBe(3);
    expect(ids(edited)[0]).toBe(ids(first)[0]);
    expect(ids(edited)[1]).not.toBe(ids(first)[1]);
    expect(ids(edited)[2]).toBe(ids(first)[2]);
  });

  it.each([
    ['2019-10-01 00:00:00,view,1,2,,,1.00,3,s', 'event_time'],
    ['2019-10-01 00:00:00 UTC,click,1,2,,,1.00,3,s', 'event_type'],
    ['2019-10-01 00:00:00 UTC,view,1,2e18,,,1.00,3,s', 'category_id'],
    ['2019-10-01 00:00:00 UTC,view,1,2,,,$1,3,s', 'price'],
    ['2019-10-01 00:00:00 UTC,view,1,2,,,1.00,,s', 'user_id'],
  ])('names the line and column of a bad row %j', async (row, column) => {
    const file = await write(['2019-10-01 00:00:00 UTC,view,1,2,,,1.00,3,s', row]);
    const err = await rejection(collect(readRees46(file)));

    expect(err).toBeInstanceOf(MalformedRowError);
    expect(err).toMatchObject({ line: 3 });
    expect((err as MalformedRowError).reason).toContain(`'${column}'`);
  });

  it('refuses a file without the REES46 header', async () => {
    const file = await files.write('time,type\n1,2\n');
    const err = await rejection(collect(readRees46(file)));
    expect(err).toMatchObject({ line: 1 });
    expect((err as MalformedRowError).reason).toContain('event_time');
  });
});
