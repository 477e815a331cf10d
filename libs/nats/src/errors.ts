/** A local `nats-server` could not be started; `output` holds what it printed. */
export class LocalServerError extends Error {
  override name = 'LocalServerError';

  constructor(
    message: string,
    readonly output: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
