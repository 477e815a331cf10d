import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../src/ingest/batch-sizer.js';

describe('BatchSizer', () => {
  it('takes up to the maximum when there is no budget', () => {
    const sizer = new BatchSizer(1_000, 0);
    sizer.record(1_000, 900);
    expect(sizer.next()).toBe(1_000);
  });

  it('starts at 64, then fits the budget to the measured cost per message', () => {
    const sizer = new BatchSizer(1_000, 20);
    expect(sizer.next()).toBe(64);
    // 64 messages in 32 ms: 0.5 ms each, so 40 fit in 20 ms.
    sizer.record(64, 32);
    expect(sizer.next()).toBe(40);
  });

  it('smooths the cost: the newest batch weighs 0.3', () => {
    const sizer = new BatchSizer(1_000, 20);
    sizer.record(100, 50); // 0.5 ms a message
    sizer.record(100, 10); // 0.1: 0.3 * 0.1 + 0.7 * 0.5 = 0.38
    expect(sizer.next()).toBe(Math.floor(20 / 0.38));
  });

  it('stays between 16 and the maximum', () => {
    const slow = new BatchSizer(1_000, 20);
    slow.record(10, 100); // 10 ms a message: 2 would fit
    expect(slow.next()).toBe(16);
    const fast = new BatchSizer(500, 20);
    fast.record(500, 1); // 0.002 ms: 10,000 would fit
    expect(fast.next()).toBe(500);
    const tiny = new BatchSizer(4, 20);
    expect(tiny.next()).toBe(4);
    tiny.record(4, 400);
    expect(tiny.next()).toBe(4);
  });

  it('ignores a batch with no messages or a negative time', () => {
    const sizer = new BatchSizer(1_000, 20);
    sizer.record(0, 5);
    sizer.record(10, -1);
    sizer.record(10, Number.NaN);
    expect(sizer.next()).toBe(64);
  });
});
