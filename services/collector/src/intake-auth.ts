import { SCOPES } from '@pulse/grpc';
import type { AccessControl } from '@pulse/grpc';
import { RequestRefusedError } from './errors.js';
import type { WriteKeys } from './write-keys.js';

/** How the HTTP intake recognizes a write key, and where refusals are counted. */
export interface IntakeAuth {
  /** Plain write keys of `PULSE_WRITE_KEYS`, with their sources. */
  writeKeys: WriteKeys;
  /** API keys from the keys file; a key there needs the `ingest` scope. */
  access: AccessControl | undefined;
  /** Called with 401 or 403 for each refused request. @default none */
  onDenied?: (statusCode: 401 | 403) => void;
}

/** True when the HTTP intake has any key to accept, so it should serve. */
export function hasIntakeKeys(auth: IntakeAuth): boolean {
  return auth.writeKeys.size > 0 || auth.access?.enabled === true;
}

/**
 * The source a write key files its events under. Throws a 401 refusal for a
 * missing or unknown key and a 403 for an API key without the ingest scope.
 */
export function intakeSource(auth: IntakeAuth, key: string | undefined): string {
  if (key === undefined) {
    throw refuse(auth, 401, 'write key required (Basic auth or writeKey)');
  }
  const source = auth.writeKeys.get(key);
  if (source !== undefined) return source;
  const apiKey = auth.access?.authenticate(key);
  if (!apiKey) throw refuse(auth, 401, 'unknown write key');
  if (!apiKey.scopes.has(SCOPES.ingest)) {
    throw refuse(auth, 403, `API key '${apiKey.id}' lacks scope '${SCOPES.ingest}'`);
  }
  return apiKey.source;
}

function refuse(auth: IntakeAuth, statusCode: 401 | 403, message: string): RequestRefusedError {
  auth.onDenied?.(statusCode);
  return new RequestRefusedError(statusCode, message);
}
