import type { DescService } from '@bufbuild/protobuf';
import { status as Status } from '@grpc/grpc-js';
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

import type { ApiKey, ApiKeyRing, Scope } from './api-keys.js';

/** Metadata keys a client may carry its API key in. */
export const API_KEY_METADATA = { authorization: 'authorization', apiKey: 'x-api-key' } as const;

/**
 * The scopes each method of a service accepts (any one of them suffices),
 * keyed by method local name. An empty list admits any known key.
 */
export type MethodScopes<S extends DescService> = {
  readonly [K in keyof S['method']]: readonly Scope[];
};

/** Options for {@link createAccessControl}. */
export interface AccessControlOptions {
  /** The configured keys; undefined or empty turns access control off. */
  keys: ApiKeyRing | undefined;
  /** Parent logger; refusals are logged at debug, never with the key. */
  logger: Logger;
  /** Where `pulse_grpc_auth_denied_total` is registered. @default none */
  registry?: Registry;
}

/** The verdict on one call. */
export type AccessVerdict =
  | { readonly allowed: true; readonly key: ApiKey | undefined }
  | { readonly allowed: false; readonly code: Status; readonly details: string };

/** Decides whether a call's API key may reach a method, and counts refusals. */
export interface AccessControl {
  /** False when no keys are configured: every call is let through. */
  readonly enabled: boolean;
  /** The key a presented secret belongs to, or undefined. */
  authenticate(presented: string | undefined): ApiKey | undefined;
  /** Checks a gRPC call; counts and logs a refusal. */
  authorize(
    metadata: Metadata,
    service: string,
    method: string,
    accepted: readonly Scope[],
  ): AccessVerdict;
  /** Counts a refusal decided elsewhere (the HTTP intake). */
  recordDenied(service: string, method: string, code: Status): void;
  /** Adds `pulse_grpc_auth_denied_total` to a registry made after this. */
  register(registry: Registry): void;
}

const ALLOWED_ANONYMOUS: AccessVerdict = Object.freeze({ allowed: true, key: undefined });

/**
 * Builds the access control of a server. Without keys it is off, and says so
 * once at warn: fine on a laptop, never in production.
 */
export function createAccessControl(options: AccessControlOptions): AccessControl {
  const log = options.logger.child({ component: 'access-control' });
  const keys = options.keys && options.keys.size > 0 ? options.keys : undefined;
  const denied = new Counter({
    name: 'pulse_grpc_auth_denied_total',
    help: 'Calls refused for a missing or unknown API key or a missing scope',
    labelNames: ['service', 'method', 'code'] as const,
    registers: options.registry ? [options.registry] : [],
  });
  if (!keys) log.warn('access control off: no API keys configured; every call is allowed');
  else log.info({ keys: keys.size }, 'access control on');

  const recordDenied = (service: string, method: string, code: Status) => {
    denied.inc({ service, method, code: Status[code] });
    if (log.isLevelEnabled('debug'))
      log.debug({ service, method, code: Status[code] }, 'call refused');
  };
  const refuse = (service: string, method: string, code: Status, details: string) => {
    recordDenied(service, method, code);
    return { allowed: false, code, details } as const;
  };

  return {
    enabled: keys !== undefined,
    register: (registry) => registry.registerMetric(denied),
    authenticate: (presented) => (presented && keys ? keys.find(presented) : undefined),
    recordDenied,
    authorize(metadata, service, method, accepted) {
      if (!keys) return ALLOWED_ANONYMOUS;
      const presented = presentedKey(metadata);
      if (presented === undefined) {
        const details = 'API key required: send authorization: Bearer <key>';
        return refuse(service, method, Status.UNAUTHENTICATED, details);
      }
      const key = keys.find(presented);
      if (!key) return refuse(service, method, Status.UNAUTHENTICATED, 'unknown API key');
      if (accepted.length > 0 && !accepted.some((scope) => key.scopes.has(scope))) {
        const needed = accepted.join("' or '");
        const details = `API key '${key.id}' lacks scope '${needed}' for ${method}`;
        return refuse(service, method, Status.PERMISSION_DENIED, details);
      }
      return { allowed: true, key };
    },
  };
}

/** The key from `authorization: Bearer <key>` or `x-api-key`, if any. */
export function presentedKey(metadata: Metadata): string | undefined {
  const header = metadata.get(API_KEY_METADATA.authorization)[0];
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const plain = metadata.get(API_KEY_METADATA.apiKey)[0];
  return typeof plain === 'string' && plain.trim() !== '' ? plain.trim() : undefined;
}
