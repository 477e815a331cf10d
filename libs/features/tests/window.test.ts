import { describe, expect, it } from 'vitest';
import { bucketIndex, defaultBucketMs } from '@pulse/features';
import { DAY, HOUR, MINUTE, at } from './support/make-event.js';

describe('defaultBucketMs', () => {
  it.each([
    [HOUR, MINUTE],
    [24 * HOUR, 15 * MINUTE],
    [7 * DAY, HOUR],
    [30 * DAY, 6 * HOUR],
    [90 * DAY, DAY],
  ])('splits a %i ms window into buckets of %i ms', (windowMs, bucketMs) => {
    expect(defaultBucketMs(windowMs)).toBe(bucketMs);
  });

  it('never uses more than 180 buckets for windows up to 90d', () => {
    for (let windowMs = MINUTE; windowMs <= 90 * DAY; windowMs += 7 * MINUTE) {
      expect(windowMs / defaultBucketMs(windowMs)).toBeLessThanOrEqual(180);
    }
  });
});

describe('bucketIndex', () => {
  it('aligns buckets to the epoch in UTC', () => {
    const midnight = at('2024-03-08T00:00:00Z');
    expect(bucketIndex(midnight, DAY) * DAY).toBe(midnight);
    expect(bucketIndex(midnight - 1, DAY)).toBe(bucketIndex(midnight, DAY) - 1);
    expect(bucketIndex(at('2024-03-08T10:59:59.999Z'), HOUR) * HOUR).toBe(
      at('2024-03-08T10:00:00Z'),
    );
  });

  it('places instants before 1970 in the bucket that contains them', () => {
    expect(bucketIndex(-1, HOUR)).toBe(-1);
    expect(bucketIndex(-HOUR, HOUR)).toBe(-1);
  });
});
