import { PULSE_PROTO_DIR, bindService, createGrpcServer } from '@pulse/grpc';
import type { GrpcServer } from '@pulse/grpc';
import {
  AudienceAdminService,
  AudienceService,
  DecisionService,
  DiagnosticsService,
  ProfileService,
} from '@pulse/proto';
import type { BackfillStatus } from '../audience/backfill.js';
import type { AudienceDefinitionStore } from '../audience/definition-store.js';
import type { ResolvedEngineConfig } from '../config.js';
import type { EngineContext } from '../context.js';
import {
  routedAudienceHandlers,
  routedDecisionHandlers,
  routedProfileHandlers,
} from '../partition/route-calls.js';
import type { LocalHandlers, Router } from '../partition/route-calls.js';
import * as access from './api-access.js';
import type { ApiSecurity } from './api-access.js';
import { audienceAdminHandlers } from './audience-admin-service.js';
import { DECISION_RESPONSE_SERIALIZERS } from './decision-service.js';
import { diagnosticsHandlers } from './diagnostics-service.js';

const PROTO_FILES = [
  'pulse/v1/profile.proto',
  'pulse/v1/decision.proto',
  'pulse/v1/audience.proto',
  'pulse/v1/audience_admin.proto',
  'pulse/v1/diagnostics.proto',
];

/** Binds the gRPC APIs with health and reflection. */
export function startApis(
  config: ResolvedEngineConfig,
  context: EngineContext,
  local: LocalHandlers,
  router: Router | undefined,
  admin: { store: AudienceDefinitionStore | undefined; backfill: BackfillStatus },
  security: ApiSecurity,
): Promise<GrpcServer> {
  const { logger } = context;
  const bound = security.bindOptions;
  return createGrpcServer({
    logger,
    host: config.grpcHost,
    port: config.grpcPort,
    reflection: { protoDir: PULSE_PROTO_DIR, files: PROTO_FILES },
    credentials: security.credentials,
    services: [
      bindService(
        ProfileService,
        router ? routedProfileHandlers(router, local) : local.profile,
        bound(access.PROFILE_SCOPES),
      ),
      bindService(
        AudienceService,
        router ? routedAudienceHandlers(router, local) : local.audience,
        bound(access.AUDIENCE_SCOPES),
      ),
      bindService(
        AudienceAdminService,
        audienceAdminHandlers(context, admin),
        bound(access.AUDIENCE_ADMIN_SCOPES),
      ),
      bindService(
        DecisionService,
        router ? routedDecisionHandlers(router, local) : local.decision,
        { ...bound(access.DECISION_SCOPES), responseSerializers: DECISION_RESPONSE_SERIALIZERS },
      ),
      bindService(DiagnosticsService, diagnosticsHandlers(), bound(access.DIAGNOSTICS_SCOPES)),
    ],
  });
}
