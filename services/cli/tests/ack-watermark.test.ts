import { describe, expect, it } from 'vitest';

import { AckWatermark } from '../src/import/ack-watermark.js';

describe('AckWatermark', () => {
  it('moves only over ranges without a gap, whatever order they finish in', () => {
    const watermark = new AckWatermark();
    expect(watermark.acknowledge(20, 10)).toBe(false); // 0-19 still open
    expect(watermark.acknowledge(10, 10)).toBe(false);
    expect(watermark.count).toBe(0);
    expect(watermark.acknowledge(0, 10)).toBe(true); // fills 0-9, then 10-19, 20-29
    expect(watermark.count).toBe(30);
    expect(watermark.acknowledge(40, 5)).toBe(false);
    expect(watermark.count).toBe(30);
  });

  it('starts where a resumed import starts', () => {
    const watermark = new AckWatermark(3_200);
    watermark.acknowledge(3_200, 20);
    expect(watermark.count).toBe(3_220);
  });
});
