/**
 * A row of an input file cannot be turned into an event. `line` is the
 * 1-based line where the record ends (its only line unless a quoted field
 * spans lines); `reason` says what was expected.
 */
export class MalformedRowError extends Error {
  override readonly name = 'MalformedRowError';

  /** The file being read. */
  readonly path: string;

  /** 1-based line number of the offending record; 1 is the header. */
  readonly line: number;

  /** What was wrong, e.g. `'Quantity' must be an integer, got "six"`. */
  readonly reason: string;

  constructor(path: string, line: number, reason: string, options?: ErrorOptions) {
    super(`${path}:${line}: ${reason}`, options);
    this.path = path;
    this.line = line;
    this.reason = reason;
  }
}

/** Whether `err` is a {@link MalformedRowError}. */
export function isMalformedRowError(err: unknown): err is MalformedRowError {
  return err instanceof MalformedRowError;
}

/** No loader is registered under the requested format name. */
export class UnknownLoaderFormatError extends Error {
  override readonly name = 'UnknownLoaderFormatError';

  /** The format that was asked for. */
  readonly format: string;

  constructor(format: string, known: readonly string[], options?: ErrorOptions) {
    const knownList = known.join(', ');
    super(`unknown loader format '${format}'; known: ${knownList}`, options);
    this.format = format;
  }
}

/** A column-mapping file is unreadable or does not describe a mapping. */
export class InvalidMappingError extends Error {
  override readonly name = 'InvalidMappingError';

  /** The mapping file. */
  readonly path: string;

  /** Dotted path of the offending entry, e.g. `timestamp.format`; '' for the file. */
  readonly field: string;

  constructor(path: string, field: string, reason: string, options?: ErrorOptions) {
    super(`${path}: ${field ? `'${field}' ` : ''}${reason}`, options);
    this.path = path;
    this.field = field;
  }
}
