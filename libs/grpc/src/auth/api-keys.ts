import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { ApiKeysFileError } from './errors.js';

/** What an API key may do; each RPC method needs one of these. */
export const SCOPES = {
  ingest: 'ingest',
  decide: 'decide',
  audienceRead: 'audience:read',
  profileRead: 'profile:read',
  admin: 'admin',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

const SCOPE_VALUES = Object.values(SCOPES) as [Scope, ...Scope[]];

/** One key of the keys file, as held in memory: never the key itself. */
export interface ApiKey {
  /** Names the key in logs and metrics; also its default ingest source. */
  readonly id: string;
  readonly scopes: ReadonlySet<Scope>;
  /** Source events sent with this key are filed under. @default the id */
  readonly source: string;
}

const SHA256_BYTES = 32;

/** Generated keys carry this prefix, so a leaked one is easy to search for. */
const KEY_PREFIX = 'pk_';

const keySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match [A-Za-z0-9_-]{1,64}'),
  sha256: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{64}$/, "must be the 64 hex digits of the key's SHA-256 digest"),
  scopes: z.array(z.enum(SCOPE_VALUES)).min(1, 'must name at least one scope'),
  source: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match [A-Za-z0-9_-]{1,64}')
    .optional(),
  description: z.string().optional(),
});

const fileSchema = z.strictObject({ keys: z.array(keySchema) });

/**
 * The configured API keys, by SHA-256 digest. A presented key is hashed and
 * compared with every digest in constant time, so neither the comparison nor
 * the loop tells how close a guess came.
 */
export class ApiKeyRing {
  readonly #entries: readonly { digest: Buffer; key: ApiKey }[];

  constructor(keys: readonly (ApiKey & { sha256: string })[]) {
    this.#entries = keys.map(({ sha256, ...key }) => ({
      digest: Buffer.from(sha256, 'hex'),
      key: Object.freeze(key),
    }));
  }

  /** How many keys the ring holds. */
  get size(): number {
    return this.#entries.length;
  }

  /** The key whose digest matches `presented`, or undefined. */
  find(presented: string): ApiKey | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKey | undefined;
    for (const entry of this.#entries) {
      // No early exit: every digest is compared whatever matched before.
      if (timingSafeEqual(entry.digest, digest)) found ??= entry.key;
    }
    return found;
  }
}

/** The hex SHA-256 digest of a key: what the keys file stores. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (32 bytes, base64url, `pk_` prefix). */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(SHA256_BYTES).toString('base64url');
}

/**
 * Parses a keys file (YAML or JSON): `keys: [{ id, sha256, scopes, source? }]`.
 * Throws ApiKeysFileError naming the entry and field at fault.
 */
export function parseApiKeys(text: string, file = '<keys>'): ApiKeyRing {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new ApiKeysFileError(file, '', 'is not valid YAML or JSON', { cause: err });
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const found = valueAt(document, issue.path);
    const got = typeof found === 'string' || typeof found === 'number' ? ` (got '${found}')` : '';
    throw new ApiKeysFileError(file, issuePath(issue.path), `${issue.message}${got}`);
  }
  const keys = parsed.data.keys;
  const seenIds = new Set<string>();
  const seenDigests = new Set<string>();
  keys.forEach((key, index) => {
    if (seenIds.has(key.id)) throw new ApiKeysFileError(file, `keys[${index}].id`, 'is repeated');
    if (seenDigests.has(key.sha256)) {
      throw new ApiKeysFileError(file, `keys[${index}].sha256`, 'is the digest of another key');
    }
    seenIds.add(key.id);
    seenDigests.add(key.sha256);
  });
  return new ApiKeyRing(
    keys.map((key) => ({
      id: key.id,
      sha256: key.sha256,
      scopes: new Set(key.scopes),
      source: key.source ?? key.id,
    })),
  );
}

/** Reads and parses a keys file; throws ApiKeysFileError when unreadable or invalid. */
export function loadApiKeys(file: string): ApiKeyRing {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ApiKeysFileError(file, '', 'cannot be read', { cause: err });
  }
  return parseApiKeys(text, file);
}

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`,
    )
    .join('');
}

/** The value at `path` in a parsed document, if there is one. */
function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
