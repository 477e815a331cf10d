/** An HTTP request refused as a whole, with the status to answer. */
export class RequestRefusedError extends Error {
  override name = 'RequestRefusedError';

  /** 400 for bad input, 401 for a missing or unknown key, 403 for a key without scope. */
  readonly statusCode: number;

  constructor(statusCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

/** True when `err` is a {@link RequestRefusedError}. */
export function isRequestRefusedError(err: unknown): err is RequestRefusedError {
  return err instanceof RequestRefusedError;
}

/** A 400 refusal: the body is unusable or past a limit. */
export function badRequest(message: string, options?: ErrorOptions): RequestRefusedError {
  return new RequestRefusedError(400, message, options);
}
