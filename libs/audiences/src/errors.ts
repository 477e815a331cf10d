/** An audience id that the audience set does not define. */
export class UnknownAudienceError extends Error {
  override readonly name = 'UnknownAudienceError';

  /** The id asked for. */
  readonly audienceId: string;

  constructor(audienceId: string, options?: ErrorOptions) {
    super(`unknown audience '${audienceId}'`, options);
    this.audienceId = audienceId;
  }
}

/** True when `err` is an {@link UnknownAudienceError}. */
export function isUnknownAudienceError(err: unknown): err is UnknownAudienceError {
  return err instanceof UnknownAudienceError;
}
