import { expect } from 'vitest';

const RELATIVE_TOLERANCE = 1e-9;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Asserts two readings agree: numbers up to float rounding (sums and decayed
 * scores depend on the order of additions), everything else exactly.
 */
export function expectReadingClose(actual: unknown, expected: unknown, label: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (!close(actual, expected)) expect(actual, label).toBe(expected);
    return;
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    const want = expected as Record<string, number>;
    const got = actual as Record<string, number>;
    expect(Object.keys(got).sort(), label).toEqual(Object.keys(want).sort());
    for (const key of Object.keys(want)) expectReadingClose(got[key], want[key], `${label}.${key}`);
    return;
  }
  expect(actual, label).toEqual(expected);
}
