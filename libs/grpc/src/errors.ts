/**
 * Domain errors that handlers throw and `error-status.ts` maps to gRPC codes.
 * Each class sets `name`, keeps `cause` through `ErrorOptions` and carries
 * the offending value as a property.
 */

/** Bad input: a request field failed validation. Maps to INVALID_ARGUMENT. */
export class InvalidArgumentError extends Error {
  /** The field at fault, as spelled in the proto (`audience_id`). */
  readonly field: string;

  /** The expectation that failed, without the field name. */
  readonly reason: string;

  constructor(field: string, reason: string, options?: ErrorOptions) {
    super(`${field}: ${reason}`, options);
    this.name = 'InvalidArgumentError';
    this.field = field;
    this.reason = reason;
  }
}

/** The addressed entity does not exist. Maps to NOT_FOUND. */
export class NotFoundError extends Error {
  /** What kind of entity was looked up, e.g. `audience`. */
  readonly resource: string;

  /** The key that matched nothing. */
  readonly id: string;

  constructor(resource: string, id: string, options?: ErrorOptions) {
    super(`${resource} not found: ${id}`, options);
    this.name = 'NotFoundError';
    this.resource = resource;
    this.id = id;
  }
}

/** State forbids the call now. Maps to FAILED_PRECONDITION. */
export class FailedPreconditionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FailedPreconditionError';
  }
}

/** A transient fault the caller may retry. Maps to UNAVAILABLE. */
export class UnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}

/**
 * Names of validation errors from other libs that carry a `field` property and
 * are reported as INVALID_ARGUMENT without this lib importing them. Add a name
 * here when another lib grows such an error.
 */
export const FIELD_ERROR_NAMES: readonly string[] = Object.freeze([
  'InvalidArgumentError',
  'InvalidEventError',
  'DefinitionError',
  'RuleError',
]);

/** An error that names the input field at fault. */
export interface FieldError extends Error {
  /** The field at fault, as the other lib names it. */
  readonly field: string;
}

/** True for an InvalidArgumentError, subclasses included. */
export function isInvalidArgumentError(err: unknown): err is InvalidArgumentError {
  return err instanceof InvalidArgumentError;
}

/** True for InvalidArgumentError and for FIELD_ERROR_NAMES errors with a string `field`. */
export function isFieldError(err: unknown): err is FieldError {
  if (err instanceof InvalidArgumentError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { name, field } = err as Partial<FieldError>;
  if (typeof field !== 'string' || typeof name !== 'string') return false;
  return FIELD_ERROR_NAMES.includes(name);
}

/** True for a NotFoundError, subclasses included. */
export function isNotFoundError(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError;
}

/** True for a FailedPreconditionError, subclasses included. */
export function isFailedPreconditionError(err: unknown): err is FailedPreconditionError {
  return err instanceof FailedPreconditionError;
}

/** True for an UnavailableError, subclasses included. */
export function isUnavailableError(err: unknown): err is UnavailableError {
  return err instanceof UnavailableError;
}

/**
 * A status decided elsewhere (another engine answering a forwarded call):
 * passed on to the client with its code, message and field unchanged.
 */
export class StatusError extends Error {
  /** A `@grpc/grpc-js` status code. */
  readonly code: number;
  /** The field at fault on INVALID_ARGUMENT, when the answer named one. */
  readonly field: string | undefined;

  constructor(code: number, message: string, field?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StatusError';
    this.code = code;
    this.field = field;
  }
}
