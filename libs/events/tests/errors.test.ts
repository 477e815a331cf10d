import { describe, expect, it } from 'vitest';

import { InvalidEventError, isInvalidEventError } from '../src/index.js';

describe('InvalidEventError', () => {
  it('carries the field, reason, value and cause', () => {
    const cause = new Error('root');
    const error = new InvalidEventError('userId', 'must be a string', 42, { cause });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidEventError');
    expect([error.field, error.reason, error.value, error.cause]).toEqual([
      'userId',
      'must be a string',
      42,
      cause,
    ]);
    expect(error.message).toBe(`'userId' must be a string`);
  });

  it.each([
    [new InvalidEventError('type', 'is missing'), true],
    [new TypeError('no'), false],
    [{ name: 'InvalidEventError', field: 'type' }, false],
    [undefined, false],
  ])('isInvalidEventError(%s) is %s', (value, expected) => {
    expect(isInvalidEventError(value)).toBe(expected);
  });
});
