import { normalizeEvent } from '@pulse/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MalformedRowError, readRetailRocket } from '../src/index.js';
import { collect, documentedId, rejection, tempFileDir } from './fixtures.js';

const HEADER = 'timestamp,visitorid,event,itemid,transactionid';

let files: Awaited<ReturnType<typeof tempFileDir>>;
beforeAll(async () => {
  files = await tempFileDir();
});
afterAll(() => files.cleanup());

const write = (rows: string[]) => files.write(`${[HEADER, ...rows].join('\n')}\n`);

describe('readRetailRocket', () => {
  it('reads epoch milliseconds and maps view, addtocart and transaction', async () => {
    const rows = [
      '1433221332117,257597,view,355908,',
      '1433224214164,992329,addtocart,248676,',
      '1433193500981,121688,transaction,15335,11117',
    ];
    const records = await collect(readRetailRocket(await write(rows)));
    const id = (i: number) => documentedId('retailrocket', i + 2, rows[i]!.split(','));

    expect(records.map((r) => r.call)).toEqual([
      {
        type: 'track',
        event: 'Product Viewed',
        anonymousId: '257597',
        // 1,433,221,332 s = 16,588 days (2015-06-02) + 18,132 s (05:02:12), + 117 ms
        timestamp: '2015-06-02T05:02:12.117Z',
        properties: { product_id: '355908' },
        messageId: id(0),
      },
      {
        type: 'track',
        event: 'Product Added',
        anonymousId: '992329',
        timestamp: '2015-06-02T05:50:14.164Z',
        properties: { product_id: '248676' },
        messageId: id(1),
      },
      {
        type: 'track',
        event: 'Order Completed',
        anonymousId: '121688',
        timestamp: '2015-06-01T21:18:20.981Z',
        properties: { order_id: '11117', products: [{ product_id: '15335', quantity: 1 }] },
        messageId: id(2),
      },
    ]);
    for (const { call } of records) {
      expect(() => normalizeEvent(call, { source: 't', receivedAtMs: Date.now() })).not.toThrow();
    }
  });

  it.each([
    ['2015-06-02,1,view,2,', 'timestamp'],
    ['1433221332117,x,view,2,', 'visitorid'],
    ['1433221332117,1,purchase,2,', 'event'],
    ['1433221332117,1,transaction,2,', 'transactionid'],
    ['1433221332117,1,view,2,77', 'transactionid'],
  ])('names the line and column of a bad row %j', async (row, column) => {
    const err = await rejection(collect(readRetailRocket(await write([row]))));
    expect(err).toBeInstanceOf(MalformedRowError);
    expect(err).toMatchObject({ line: 2 });
    expect((err as MalformedRowError).reason).toContain(`'${column}'`);
  });
});
