import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';

import {
  FIELD_METADATA_KEY,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  toErrorStatus,
} from '../src/index.js';
import { captureLogger } from './harness.js';

const METHOD = '/pulse.v1.DiagnosticsService/Ping';

describe('toErrorStatus', () => {
  it.each([
    [new InvalidArgumentError('limit', 'must be at most 20'), Status.INVALID_ARGUMENT],
    [new NotFoundError('audience', 'a1'), Status.NOT_FOUND],
    [new FailedPreconditionError('definitions not loaded'), Status.FAILED_PRECONDITION],
    [new UnavailableError('owner moving'), Status.UNAVAILABLE],
    [new Error('boom'), Status.INTERNAL],
    ['a thrown string', Status.INTERNAL],
  ])('maps %s to %i', (error, code) => {
    const { logger } = captureLogger();

    expect(toErrorStatus(error, logger, METHOD).code).toBe(code);
  });

  it('names the field in details and in the pulse-field trailer', () => {
    const { logger } = captureLogger();
    const error = new InvalidArgumentError('identifiers[2].type', 'must be non-empty');

    const status = toErrorStatus(error, logger, METHOD);

    expect(status.details).toBe('identifiers[2].type: must be non-empty');
    expect(status.metadata.get(FIELD_METADATA_KEY)).toEqual(['identifiers[2].type']);
  });

  it('prefixes the field when another lib left it out of the message', () => {
    const { logger } = captureLogger();
    const error = Object.assign(new Error('unknown event type'), {
      name: 'InvalidEventError',
      field: 'type',
    });

    expect(toErrorStatus(error, logger, METHOD).details).toBe('type: unknown event type');
  });

  it('logs only unexpected errors, at error with err and method', () => {
    const { logger, lines } = captureLogger();

    toErrorStatus(new NotFoundError('audience', 'a1'), logger, METHOD);
    toErrorStatus(new Error('boom'), logger, METHOD);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, method: METHOD, err: { message: 'boom' } });
  });
});
