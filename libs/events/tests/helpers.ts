import { expect } from 'vitest';

import { isInvalidEventError } from '../src/index.js';
import type { InvalidEventError } from '../src/index.js';

/** 2024-05-01T12:00:00Z in epoch ms: the receipt time used by the tests. */
export const RECEIVED_MS = 1_714_564_800_000;

export const OPTIONS = { source: 'web', receivedAtMs: RECEIVED_MS };

/** Runs `call`, expects it to throw an InvalidEventError, and returns it. */
export function rejection(call: () => unknown): InvalidEventError {
  try {
    call();
  } catch (err) {
    if (isInvalidEventError(err)) return err;
    throw err;
  }
  expect.fail('expected an InvalidEventError');
}
