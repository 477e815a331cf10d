/** Decimal places kept for prices: money is counted in 1/10,000 of a pound. */
export const PRICE_SCALE = 4;

const UNITS_PER_PENNY = 10 ** (PRICE_SCALE - 2);

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a plain decimal such as `2.55` or `-11062.06` into an integer count
 * of 10^-PRICE_SCALE units; undefined when it is not one or is finer than that.
 */
export function parseFixed(text: string): number | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = ''] = match;
  if (fraction.length > PRICE_SCALE) return undefined;
  const units = Number(whole + fraction.padEnd(PRICE_SCALE, '0'));
  if (!Number.isSafeInteger(units)) return undefined;
  return sign === '-' ? -units : units;
}

/** Fixed-point units to pence, rounding halves away from zero. */
export function unitsToPence(units: number): number {
  const pence = Math.round(Math.abs(units) / UNITS_PER_PENNY);
  return units < 0 ? -pence : pence;
}
