/**
 * Two learner states cannot be merged: their contextual statistics were
 * built from different context feature lists.
 */
export class LearnerStateMismatchError extends Error {
  override readonly name = 'LearnerStateMismatchError';

  /** The context feature ids of the state merged into. */
  readonly expected: readonly string[];

  /** The context feature ids of the state merged from. */
  readonly actual: readonly string[];

  constructor(expected: readonly string[], actual: readonly string[], options?: ErrorOptions) {
    super(
      `learner states use different context features: [${expected.join(', ')}] ` +
        `and [${actual.join(', ')}]`,
      options,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** True when `err` is a {@link LearnerStateMismatchError}. */
export function isLearnerStateMismatchError(err: unknown): err is LearnerStateMismatchError {
  return err instanceof LearnerStateMismatchError;
}
