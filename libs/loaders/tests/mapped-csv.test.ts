import { normalizeEvent } from '@pulse/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InvalidMappingError, MalformedRowError, readMappedCsv } from '../src/index.js';
import { collect, documentedId, rejection, tempFileDir } from './fixtures.js';

let files: Awaited<ReturnType<typeof tempFileDir>>;
beforeAll(async () => {
  files = await tempFileDir();
});
afterAll(() => files.cleanup());

const SHOP_MAPPING = `
delimiter: ';'
event:
  column: action
  values: { buy: Order Completed, look: Product Viewed }
timestamp: { column: when, format: 'dd/MM/yyyy HH:mm', zone: Europe/Paris }
identifiers: { userId: customer, anonymousId: cookie }
properties:
  order_id: order
  revenue: { column: amount, type: number }
  sku: sku
`;

describe('readMappedCsv', () => {
  it('builds one call a row from the mapping', async () => {
    const mapping = await files.write(SHOP_MAPPING, 'shop.yaml');
    const rows = [
      '01/07/2024 14:30;buy;0042;;A-1;19.90;0012345678901234567890',
      '02/07/2024 09:05;look;;c-9;;;77',
    ];
    const csv = await files.write(
      `when;action;customer;cookie;order;amount;sku\n${rows.join('\n')}\n`,
    );
    const records = await collect(readMappedCsv(csv, { mapping }));

    expect(records.map((r) => r.call)).toEqual([
      {
        type: 'track',
        event: 'Order Completed',
        timestamp: '2024-07-01T14:30:00+02:00', // Paris is UTC+2 in summer
        userId: '0042',
        properties: { order_id: 'A-1', revenue: 19.9, sku: '0012345678901234567890' },
        messageId: documentedId('mapping', 2, rows[0]!.split(';')),
      },
      {
        type: 'track',
        event: 'Product Viewed',
        timestamp: '2024-07-02T09:05:00+02:00',
        anonymousId: 'c-9',
        properties: { sku: '77' },
        messageId: documentedId('mapping', 3, rows[1]!.split(';')),
      },
    ]);
    for (const { call } of records) {
      expect(() => normalizeEvent(call, { source: 't', receivedAtMs: Date.now() })).not.toThrow();
    }
  });

  it.each([
    ['epoch_ms', '1700000000123', '2023-11-14T22:13:20.123Z'],
    ['epoch_s', '1700000000.5', '2023-11-14T22:13:20.500Z'],
    ['iso', '2024-01-02T03:04:05+01:00', '2024-01-02T03:04:05+01:00'],
  ])('reads %s timestamps', async (format, text, expected) => {
    const mapping = await files.write(
      `event: { value: Signed Up }\ntimestamp: { column: t, format: ${format} }\n` +
        'identifiers: { userId: u }\n',
    );
    const csv = await files.write(`t,u\n${text},7\n`);
    const [record] = await collect(readMappedCsv(csv, { mapping }));
    expect(record!.call).toMatchObject({ event: 'Signed Up', timestamp: expected });
  });

  it('names the line and column of a bad cell', async () => {
    const mapping = await files.write(SHOP_MAPPING);
    const csv = await files.write(
      'when;action;customer;cookie;order;amount;sku\n' +
        '01/07/2024 14:30;buy;1;;A-1;19.90;1\n' +
        '01/07/2024 14:31;buy;1;;A-2;twenty;1\n',
    );
    const err = await rejection(collect(readMappedCsv(csv, { mapping })));
    expect(err).toBeInstanceOf(MalformedRowError);
    expect(err).toMatchObject({ line: 3 });
    expect((err as MalformedRowError).reason).toContain("'amount'");
  });

  it.each([
    ['timestamp: { column: t }\nidentifiers: { userId: u }\n', 'event'],
    ['event: { value: A }\nidentifiers: { userId: u }\n', 'timestamp'],
    ['event: { value: A }\ntimestamp: { column: t }\nidentifiers: {}\n', 'identifiers'],
    [
      'event: { value: A }\ntimestamp: { column: t, zone: Mars/Base }\nidentifiers: { userId: u }\n',
      'timestamp.zone',
    ],
    ['event: { value: A }\ntimestamp: { column: t }\nidentifiers: { userId: u }\nextra: 1\n', ''],
  ])('refuses a mapping naming the entry at fault (%#)', async (yaml, field) => {
    const mapping = await files.write(yaml);
    const csv = await files.write('t,u\n2024-01-01T00:00:00Z,1\n');
    const err = await rejection(collect(readMappedCsv(csv, { mapping })));
    expect(err).toBeInstanceOf(InvalidMappingError);
    expect(err).toMatchObject({ field });
  });

  it('refuses a CSV that lacks a mapped column', async () => {
    const mapping = await files.write(SHOP_MAPPING);
    const csv = await files.write('when;action;customer\n01/07/2024 14:30;buy;1\n');
    const err = await rejection(collect(readMappedCsv(csv, { mapping })));
    expect(err).toMatchObject({ line: 1 });
    expect((err as MalformedRowError).reason).toMatch(/cookie, order, amount, sku/);
  });
});
