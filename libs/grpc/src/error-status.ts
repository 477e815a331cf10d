import { Metadata, status as Status } from '@grpc/grpc-js';
import type { StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import {
  StatusError,
  isFailedPreconditionError,
  isFieldError,
  isNotFoundError,
  isUnavailableError,
} from './errors.js';
import type { FieldError } from './errors.js';

/** Trailing metadata key that names the field at fault on INVALID_ARGUMENT. */
export const FIELD_METADATA_KEY = 'pulse-field';

/** All a client learns of an INTERNAL; the real message stays in the log. */
const INTERNAL_DETAILS = 'internal error';

/**
 * Maps anything a handler threw to the status sent to the client. This is the
 * single place where domain errors become gRPC codes; unexpected errors are
 * logged at error and answered with a generic INTERNAL.
 */
export function toErrorStatus(err: unknown, log: Logger, method: string): StatusObject {
  if (err instanceof StatusError) return passedOnStatus(err);
  if (isFieldError(err)) return invalidArgumentStatus(err);
  if (isNotFoundError(err)) return statusOf(Status.NOT_FOUND, err.message);
  if (isFailedPreconditionError(err)) {
    return statusOf(Status.FAILED_PRECONDITION, err.message);
  }
  if (isUnavailableError(err)) return statusOf(Status.UNAVAILABLE, err.message);

  log.error({ err, method }, 'call failed');
  return statusOf(Status.INTERNAL, INTERNAL_DETAILS);
}

/** INVALID_ARGUMENT for request bytes that are not the expected message. */
export function malformedRequestStatus(typeName: string): StatusObject {
  return statusOf(Status.INVALID_ARGUMENT, `request: not a valid ${typeName}`);
}

function invalidArgumentStatus(err: FieldError): StatusObject {
  const message = String(err.message ?? 'invalid value');
  // Our InvalidArgumentError already leads with the field; errors from other
  // libs may or may not, and a mere mention inside the text is not enough.
  const named = message.startsWith(err.field) || message.startsWith(`'${err.field}'`);
  const details = named ? message : `${err.field}: ${message}`;
  const metadata = new Metadata();
  metadata.set(FIELD_METADATA_KEY, err.field);
  return { code: Status.INVALID_ARGUMENT, details, metadata };
}

function passedOnStatus(err: StatusError): StatusObject {
  const metadata = new Metadata();
  if (err.field !== undefined) metadata.set(FIELD_METADATA_KEY, err.field);
  return { code: err.code, details: err.message, metadata };
}

function statusOf(code: Status, details: string): StatusObject {
  return { code, details, metadata: new Metadata() };
}
