/** Details carried by a {@link DefinitionError}. */
export interface DefinitionErrorDetails {
  /** Id of the feature at fault, when the definition got far enough to have one. */
  featureId?: string | undefined;
  /** The offending value as written in the definition. */
  value?: unknown;
}

/**
 * A feature definition is malformed or meaningless. `field` is the path of the
 * value at fault, e.g. `features[3].window`.
 */
export class DefinitionError extends Error {
  readonly field: string;
  readonly featureId: string | undefined;
  readonly value: unknown;

  constructor(
    field: string,
    reason: string,
    details: DefinitionErrorDetails = {},
    options?: ErrorOptions,
  ) {
    const where = field === '' ? 'definitions' : field;
    const owner = details.featureId === undefined ? '' : ` (feature '${details.featureId}')`;
    super(`${where}: ${reason}${owner}`, options);
    this.name = 'DefinitionError';
    this.field = field;
    this.featureId = details.featureId;
    this.value = details.value;
  }
}

/** Narrows an unknown thrown value to a {@link DefinitionError}. */
export function isDefinitionError(err: unknown): err is DefinitionError {
  return err instanceof DefinitionError;
}

/**
 * An event reached feature computation without an event time, so it cannot be
 * placed in any bucket. The collector should have rejected it.
 */
export class EventTimeMissingError extends Error {
  readonly messageId: string;

  constructor(messageId: string, options?: ErrorOptions) {
    super(`event '${messageId}' has no timestamp`, options);
    this.name = 'EventTimeMissingError';
    this.messageId = messageId;
  }
}
