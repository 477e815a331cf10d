const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION_PATTERN = /^([1-9][0-9]{0,6})(s|m|h|d)$/;

/** Milliseconds in one minute, hour and day, for readable constants. */
export const MINUTE_MS = UNIT_MS.m;
export const HOUR_MS = UNIT_MS.h;
export const DAY_MS = UNIT_MS.d;

/**
 * Parses a duration like `90s`, `15m`, `24h` or `7d` into milliseconds.
 * Returns `undefined` for anything else, including zero and fractions.
 */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_MS;
  return amount * UNIT_MS[unit];
}

/** Formats milliseconds with the largest unit that divides it, e.g. `7d`. */
export function formatDurationMs(durationMs: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (durationMs % UNIT_MS[unit] === 0) return `${durationMs / UNIT_MS[unit]}${unit}`;
  }
  return `${durationMs / UNIT_MS.s}s`;
}
