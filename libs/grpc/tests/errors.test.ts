import { describe, expect, it } from 'vitest';

import {
  FIELD_ERROR_NAMES,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  isFieldError,
  isInvalidArgumentError,
  isNotFoundError,
} from '../src/index.js';

describe('error classes', () => {
  it.each([
    [new InvalidArgumentError('audience_id', 'must be set'), 'InvalidArgumentError'],
    [new NotFoundError('audience', 'a1'), 'NotFoundError'],
    [new FailedPreconditionError('not ready'), 'FailedPreconditionError'],
    [new UnavailableError('try later'), 'UnavailableError'],
  ])('%s sets its name', (error, name) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the field and reason of an InvalidArgumentError apart', () => {
    const error = new InvalidArgumentError('audience_id', 'must be a non-empty string');

    expect(error.field).toBe('audience_id');
    expect(error.reason).toBe('must be a non-empty string');
    expect(error.message).toBe('audience_id: must be a non-empty string');
    expect(isInvalidArgumentError(error)).toBe(true);
  });

  it('keeps the looked-up key and the cause of a NotFoundError', () => {
    const cause = new Error('lmdb miss');
    const error = new NotFoundError('profile', 'p1', { cause });

    expect(error).toMatchObject({ resource: 'profile', id: 'p1', cause });
    expect(isNotFoundError(error)).toBe(true);
  });
});

describe('isFieldError', () => {
  const named = (name: string, field?: unknown) => Object.assign(new Error('bad'), { name, field });

  it.each<[string, unknown, boolean]>([
    ['our InvalidArgumentError', new InvalidArgumentError('x', 'bad'), true],
    ...FIELD_ERROR_NAMES.map((name): [string, unknown, boolean] => [name, named(name, 'x'), true]),
    ['a known name without a field', named('InvalidEventError'), false],
    ['a known name with a non-string field', named('RuleError', 3), false],
    ['an unknown name with a field', named('TypeError', 'x'), false],
    ['a plain object of the right shape', { name: 'RuleError', field: 'x', message: 'm' }, true],
    ['null', null, false],
  ])('answers for %s', (_label, value, expected) => {
    expect(isFieldError(value)).toBe(expected);
  });
});
