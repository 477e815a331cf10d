/** The API keys file cannot be read or holds an invalid entry. */
export class ApiKeysFileError extends Error {
  /** The file at fault. */
  readonly file: string;

  /** Where in the file, e.g. `keys[1].scopes[0]`; empty for the whole file. */
  readonly field: string;

  constructor(file: string, field: string, reason: string, options?: ErrorOptions) {
    super(`${file}: ${field === '' ? '' : `${field} `}${reason}`, options);
    this.name = 'ApiKeysFileError';
    this.file = file;
    this.field = field;
  }
}

/** True for an ApiKeysFileError. */
export function isApiKeysFileError(err: unknown): err is ApiKeysFileError {
  return err instanceof Error && err.name === 'ApiKeysFileError';
}

/** A TLS certificate, key or CA file cannot be read. */
export class TlsFileError extends Error {
  /** The file at fault. */
  readonly file: string;

  constructor(file: string, what: string, options?: ErrorOptions) {
    super(`${what} ${file} cannot be read`, options);
    this.name = 'TlsFileError';
    this.file = file;
  }
}
