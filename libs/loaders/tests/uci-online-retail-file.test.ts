import { existsSync } from 'node:fs';

import { EVENT_MAX_BYTES, jsonByteLength, normalizeEvent } from '@pulse/events';
import type { SegmentCall } from '@pulse/events';
import { beforeAll, describe, expect, it } from 'vitest';

import { readUciOnlineRetail } from '../src/index.js';
import { collect, UCI_FILE } from './fixtures.js';

// Figures worked out independently of this loader, with Python's csv and
// Decimal over the same file: 42,481 rows, 2,025 invoices (326 of them `C`),
// 948 customers, net revenue 748,957.02. Python's json also found 20 invoices
// whose call would pass 32 KB (the largest, 537434, has 675 lines and about
// 73 KB): split greedily they make 23 more calls, 537434 taking three.
const INVOICES = 2025;
const CALLS = 2048;
const SPLIT_INVOICES = 20;
const REFUNDS = 326;
const CUSTOMERS = 948;
const NET_REVENUE_PENCE = 74_895_702;
const ROWS = 42_481;

const present = existsSync(UCI_FILE);
if (!present) {
  console.warn(`skipping UCI Online Retail file tests: ${UCI_FILE} not found`);
}

describe.skipIf(!present)('readUciOnlineRetail on the shared data file', () => {
  let calls: SegmentCall[];
  beforeAll(async () => {
    calls = await collect(readUciOnlineRetail(UCI_FILE));
  });

  const revenueOf = (call: SegmentCall) => (call.properties?.revenue as number | undefined) ?? 0;
  const productsOf = (call: SegmentCall) => call.properties?.products as unknown[];

  const orderIdOf = (call: SegmentCall) => call.properties?.order_id as string;

  it('yields a call per invoice and one product per row', () => {
    const orderIds = new Set(calls.map(orderIdOf));
    expect(orderIds.size).toBe(INVOICES);
    expect(calls).toHaveLength(CALLS);
    expect(new Set(calls.map((call) => call.messageId)).size).toBe(CALLS);
    const refunds = new Set(calls.filter((c) => c.event === 'Order Refunded').map(orderIdOf));
    expect(refunds.size).toBe(REFUNDS);
    expect(calls.reduce((sum, call) => sum + productsOf(call).length, 0)).toBe(ROWS);
  });

  it('splits only invoices over 32 KB, into parts that fit', () => {
    const parts = calls.filter((call) => call.properties?.invoice_part !== undefined);
    expect(new Set(parts.map(orderIdOf)).size).toBe(SPLIT_INVOICES);
    expect(Math.max(...calls.map((call) => jsonByteLength(call)))).toBeLessThanOrEqual(
      EVENT_MAX_BYTES,
    );
    const largest = calls.filter((call) => orderIdOf(call) === '537434');
    expect(largest.map((call) => call.messageId)).toEqual([
      'uci-537434',
      'uci-537434-2',
      'uci-537434-3',
    ]);
    expect(largest.reduce((sum, call) => sum + productsOf(call).length, 0)).toBe(675);
  });

  it('makes one order call per invoice and puts the rest of a split one in line calls', () => {
    const orders = calls.filter(
      (c) => c.event === 'Order Completed' || c.event === 'Order Refunded',
    );
    expect(orders).toHaveLength(INVOICES);
    const lines = calls.filter((c) => c.event === 'Order Lines' || c.event === 'Refund Lines');
    expect(lines).toHaveLength(CALLS - INVOICES);
    expect(lines.every((c) => c.properties?.revenue === undefined)).toBe(true);
  });

  it('adds up to the net revenue to the penny', () => {
    const pence = calls.reduce((sum, call) => sum + Math.round(revenueOf(call) * 100), 0);
    expect(pence).toBe(NET_REVENUE_PENCE);
  });

  it('names 948 distinct customers and scopes anonymous buyers to their invoice', () => {
    const userIds = new Set(calls.flatMap((call) => (call.userId ? [call.userId] : [])));
    expect(userIds.size).toBe(CUSTOMERS);
    for (const call of calls.filter((c) => c.userId === undefined)) {
      expect(call.anonymousId).toBe(`uci-invoice-${call.properties?.order_id as string}`);
    }
  });

  it('spans 2010-12-01 08:26 to 2010-12-23 17:41 UK time', () => {
    const times = calls.map((call) => Date.parse(call.timestamp as string));
    expect(Math.min(...times)).toBe(Date.parse('2010-12-01T08:26:00+00:00'));
    expect(Math.max(...times)).toBe(Date.parse('2010-12-23T17:41:00+00:00'));
  });

  it('reads invoice 536365 as in the file', () => {
    const call = calls.find((c) => c.messageId === 'uci-536365');
    // Its seven rows: 6×2.55 + 6×3.39 + 8×2.75 + 6×3.39 + 6×3.39 + 2×7.65 + 6×4.25
    //   = 15.30 + 20.34 + 22.00 + 20.34 + 20.34 + 15.30 + 25.50 = 139.12
    expect(call?.userId).toBe('17850');
    expect(call?.timestamp).toBe('2010-12-01T08:26:00+00:00');
    expect(productsOf(call!)).toHaveLength(7);
    expect(revenueOf(call!)).toBe(139.12);
  });

  it('passes normalizeEvent for every call, keeping revenue and identifiers', () => {
    const options = { source: 'uci-online-retail', receivedAtMs: Date.now() };
    let pence = 0;
    for (const call of calls) {
      const event = normalizeEvent(call, options);
      expect(event.messageId).toBe(call.messageId);
      expect(event.identifiers).toHaveLength(1);
      pence += Math.round((event.commerce?.revenue ?? NaN) * 100);
    }
    expect(pence).toBe(NET_REVENUE_PENCE);
  });
});
