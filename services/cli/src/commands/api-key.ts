import { SCOPES, generateApiKey, hashApiKey } from '@pulse/grpc';
import type { Scope } from '@pulse/grpc';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';

/** What `pulse api-key create` was asked. */
export interface CreateApiKeyOptions {
  /** Comma-separated scopes. */
  scopes: string;
  /** Source its events are filed under; the id when absent. */
  source?: string;
  json?: boolean;
}

const KNOWN_SCOPES = new Set<string>(Object.values(SCOPES));

/**
 * `pulse api-key create ID`: makes a random key and prints it once, with the
 * entry (digest and scopes, never the key) to add to the keys file.
 */
export function runCreateApiKey(id: string, options: CreateApiKeyOptions): void {
  const scopes = options.scopes
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    const known = [...KNOWN_SCOPES].join(', ');
    throw new UsageError(`--scopes must list scopes among ${known}; got '${options.scopes}'`);
  }
  const key = generateApiKey();
  const entry = {
    id,
    sha256: hashApiKey(key),
    scopes: scopes as Scope[],
    ...(options.source ? { source: options.source } : {}),
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ key, entry })}\n`);
    return;
  }
  process.stdout.write(
    `key (shown once; give it to the client): ${key}\n\n` +
      `add under 'keys:' in the keys file (PULSE_API_KEYS_FILE):\n` +
      stringify([entry]),
  );
}
