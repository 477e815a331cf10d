/**
 * An exact decimal number: `coefficient × 10^-scale`. Parsing epoch values
 * this way avoids float drift such as `1714564800.123 * 1000` landing on
 * `...122.9999`.
 */
export interface Decimal {
  coefficient: bigint;
  scale: number;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Longest digit run or exponent accepted; no epoch value needs more. */
const MAX_DIGITS = 40;

/** Parses a plain or exponent decimal string; undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  const digits = whole + fraction;
  const exponent = Number(exponentText);
  const tooLong = digits.length > MAX_DIGITS || Math.abs(exponent) > MAX_DIGITS;
  if (digits === '' || tooLong) return undefined;

  let coefficient = BigInt(digits);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    coefficient *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { coefficient: sign === '-' ? -coefficient : coefficient, scale };
}

/** `floor(d × 10^shift)` as a number; `shift` may be negative. */
export function floorShifted(d: Decimal, shift: number): number {
  const exponent = shift - d.scale;
  if (exponent >= 0) return Number(d.coefficient * 10n ** BigInt(exponent));

  const divisor = 10n ** BigInt(-exponent);
  const quotient = d.coefficient / divisor;
  // BigInt division truncates toward zero; floor is one less below zero.
  const floored = d.coefficient % divisor < 0n ? quotient - 1n : quotient;
  return Number(floored);
}

/** Whether `|d| < 10^power`. */
export function isBelowPowerOfTen(d: Decimal, power: number): boolean {
  const magnitude = d.coefficient < 0n ? -d.coefficient : d.coefficient;
  return magnitude < 10n ** BigInt(power + d.scale);
}
