/**
 * An event broke a rule of the canonical shape. `field` is the JSON path at
 * fault (`'timestamp'`, `'properties.products[2].price'`, or `'$'` for the
 * event as a whole) and `reason` says which expectation or limit failed.
 */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';

  /** JSON path of the offending value; `'$'` means the whole event. */
  readonly field: string;

  /** What was expected, e.g. `must be a non-empty string`. */
  readonly reason: string;

  /** The offending value (or, for size limits, the measured size). */
  readonly value: unknown;

  constructor(field: string, reason: string, value?: unknown, options?: ErrorOptions) {
    super(`'${field}' ${reason}`, options);
    this.field = field;
    this.reason = reason;
    this.value = value;
  }
}

/** Whether `err` is an {@link InvalidEventError}. */
export function isInvalidEventError(err: unknown): err is InvalidEventError {
  return err instanceof InvalidEventError;
}
