import type { DescService } from '@bufbuild/protobuf';
import type { ServerCredentials } from '@grpc/grpc-js';
import { SCOPES, createAccessControl, loadApiKeys, serverTlsCredentials } from '@pulse/grpc';
import type { AccessControl, BindServiceOptions, MethodScopes } from '@pulse/grpc';
import type {
  AudienceAdminService,
  AudienceService,
  DecisionService,
  DiagnosticsService,
  ProfileService,
} from '@pulse/proto';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';
import type { ResolvedEngineConfig } from '../config.js';

/*
 * The scope each engine method needs. A key needs one of the listed scopes;
 * `admin` does not stand in for the others, except on GetOfferStats, which
 * both the deciding application and an operator read. Health and reflection
 * are not bound through bindService and need no key.
 */

export const PROFILE_SCOPES: MethodScopes<typeof ProfileService> = {
  getProfile: [SCOPES.profileRead],
  deleteProfile: [SCOPES.admin],
};

export const AUDIENCE_SCOPES: MethodScopes<typeof AudienceService> = {
  check: [SCOPES.audienceRead],
  batchCheck: [SCOPES.audienceRead],
  listMembers: [SCOPES.audienceRead],
  listAudiences: [SCOPES.audienceRead],
};

export const AUDIENCE_ADMIN_SCOPES: MethodScopes<typeof AudienceAdminService> = {
  createAudience: [SCOPES.admin],
  updateAudience: [SCOPES.admin],
  deleteAudience: [SCOPES.admin],
  getAudience: [SCOPES.admin],
  listAudienceDefinitions: [SCOPES.admin],
  getBackfill: [SCOPES.admin],
};

export const DECISION_SCOPES: MethodScopes<typeof DecisionService> = {
  decide: [SCOPES.decide],
  getOfferStats: [SCOPES.decide, SCOPES.admin],
};

/** Ping answers any known key: it proves the key and the channel work. */
export const DIAGNOSTICS_SCOPES: MethodScopes<typeof DiagnosticsService> = { ping: [] };

/** The engine's access control and gRPC server credentials. */
export interface ApiSecurity {
  readonly control: AccessControl;
  /** TLS credentials; undefined serves plaintext. */
  readonly credentials: ServerCredentials | undefined;
  /** `bindService` options for a service with its scope table. */
  bindOptions<S extends DescService>(scopes: MethodScopes<S>): BindServiceOptions<S>;
}

/**
 * Reads the API keys file and the TLS files once, at start, so that a bad
 * file stops the engine before it opens anything. Throws ConfigError naming
 * the variable. The refusal counter joins the engine's registry once that
 * exists (`control.register`).
 */
export function loadApiSecurity(config: ResolvedEngineConfig, logger: Logger): ApiSecurity {
  const keys = config.apiKeysFile
    ? loadFile('PULSE_API_KEYS_FILE', loadApiKeys, config.apiKeysFile)
    : undefined;
  const credentials = config.tls
    ? loadFile('PULSE_TLS_CERT_FILE', serverTlsCredentials, config.tls)
    : undefined;
  const control = createAccessControl({ keys, logger });
  const bindOptions = <S extends DescService>(scopes: MethodScopes<S>) => ({
    logger,
    access: { control, scopes },
  });
  return { control, credentials, bindOptions };
}

function loadFile<A, T>(variable: string, load: (arg: A) => T, arg: A): T {
  try {
    return load(arg);
  } catch (err) {
    throw new ConfigError(`${variable}: ${(err as Error).message}`, { cause: err });
  }
}
