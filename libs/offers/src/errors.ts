import { DefinitionError } from '@pulse/rules';

/** An offer names an audience that the audience definitions do not hold. */
export class UnknownAudienceReferenceError extends DefinitionError {
  override readonly name = 'UnknownAudienceReferenceError';

  /** The audience id as written in the offer. */
  readonly audienceId: string;

  constructor(field: string, audienceId: string, options?: ErrorOptions) {
    super(field, `unknown audience '${audienceId}'`, options);
    this.audienceId = audienceId;
  }
}

/** True when `err` is an {@link UnknownAudienceReferenceError}. */
export function isUnknownAudienceReferenceError(
  err: unknown,
): err is UnknownAudienceReferenceError {
  return err instanceof UnknownAudienceReferenceError;
}
