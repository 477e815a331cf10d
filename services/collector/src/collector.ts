import { jetstream } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import {
  PULSE_PROTO_DIR,
  bindService,
  createAccessControl,
  createGrpcServer,
  loadApiKeys,
  serverTlsCredentials,
} from '@pulse/grpc';
import { connectNats, ensureStreams } from '@pulse/nats';
import { startOpsServer } from '@pulse/ops';
import { DiagnosticsService, IngestService } from '@pulse/proto';
import type { Logger } from 'pino';
import type { ResolvedCollectorConfig } from './config.js';
import { DIAGNOSTICS_SCOPES, INGEST_SCOPES, ingestHandlers } from './grpc-intake.js';
import { startHttpIntake } from './http-intake.js';
import type { HttpIntake } from './http-intake.js';
import type { IngestContext } from './ingest-batch.js';
import { hasIntakeKeys } from './intake-auth.js';
import type { IntakeAuth } from './intake-auth.js';
import { createCollectorMetrics } from './metrics.js';
import { serveNatsIntake } from './nats-intake.js';

/** A running collector: NATS intake, gRPC IngestService and the Segment HTTP API. */
export interface Collector extends AsyncDisposable {
  readonly grpcPort: number;
  /** The HTTP intake's port; 0 when it is off (no write keys, no API keys). */
  readonly httpPort: number;
  readonly opsPort: number;
  stop(): Promise<void>;
}

/**
 * Starts a stateless collector: connects to NATS, makes sure the streams
 * exist, then serves ingest on NATS and gRPC. Any number may run at once.
 */
export async function startCollector(
  config: ResolvedCollectorConfig,
  logger: Logger,
): Promise<Collector> {
  const log = logger.child({ component: 'collector' });
  const metrics = createCollectorMetrics();
  // Key and certificate files are read before anything connects.
  const { apiKeysFile, tls } = config;
  const keys = apiKeysFile
    ? fromFile('PULSE_API_KEYS_FILE', () => loadApiKeys(apiKeysFile))
    : undefined;
  const credentials = tls
    ? fromFile('PULSE_TLS_CERT_FILE', () => serverTlsCredentials(tls))
    : undefined;
  const access = createAccessControl({ keys, logger, registry: metrics.registry });
  const nc = await connectNats({
    servers: config.natsUrl,
    name: 'pulse-collector',
    logger,
    security: config.nats,
  });
  const { duplicateWindowMs, streamReplicas: replicas } = config;
  await ensureStreams(nc, { duplicateWindowMs, replicas });
  const js = jetstream(nc);

  const onReport = metrics.recordReport;
  const subscription = serveNatsIntake({
    nc,
    js,
    logger,
    onReport,
    phoneRegion: config.phoneRegion,
  });
  const grpc = await createGrpcServer({
    logger,
    host: config.grpcHost,
    port: config.grpcPort,
    credentials,
    reflection: {
      protoDir: PULSE_PROTO_DIR,
      files: ['pulse/v1/ingest.proto', 'pulse/v1/diagnostics.proto'],
    },
    services: [
      bindService(IngestService, ingestHandlers(js, logger, onReport, config.phoneRegion), {
        logger,
        access: { control: access, scopes: INGEST_SCOPES },
      }),
      bindService(
        DiagnosticsService,
        { ping: async (r) => ({ payload: r.payload }) },
        { logger, access: { control: access, scopes: DIAGNOSTICS_SCOPES } },
      ),
    ],
  });
  const auth: IntakeAuth = {
    writeKeys: config.writeKeys,
    access: access.enabled ? access : undefined,
    onDenied: metrics.recordHttpDenied,
  };
  const http = await startHttp(config, js, logger, onReport, auth);
  if (!http) log.info('http intake off: no write keys and no API keys');
  let running = true;
  const ops = await startOpsServer({
    port: config.metricsPort,
    host: config.metricsHost,
    registry: metrics.registry,
    ready: () => running && !nc.isClosed(),
    logger,
  });
  const httpPort = http?.port ?? 0;
  log.info({ grpcPort: grpc.port, httpPort }, 'collector ready');

  const stop = async () => {
    if (!running) return;
    running = false;
    log.info('collector stopping');
    await http?.close(config.shutdownGraceMs);
    await grpc.shutdown(config.shutdownGraceMs);
    await subscription.drain();
    await nc.drain();
    await ops.close();
    log.info('collector stopped');
  };
  return { grpcPort: grpc.port, httpPort, opsPort: ops.port, stop, [Symbol.asyncDispose]: stop };
}

/** Runs `load`; a failure is rethrown as a TypeError naming the variable. */
function fromFile<T>(variable: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    throw new TypeError(`${variable}: ${(err as Error).message}`, { cause: err });
  }
}

/** Starts the HTTP intake when write keys or API keys are configured; else it stays off. */
async function startHttp(
  config: ResolvedCollectorConfig,
  js: JetStreamClient,
  logger: Logger,
  onReport: IngestContext['onReport'],
  auth: IntakeAuth,
): Promise<HttpIntake | undefined> {
  if (!hasIntakeKeys(auth)) return undefined;
  const { httpHost: host, httpPort: port } = config;
  return startHttpIntake({
    js,
    host,
    port,
    auth,
    logger,
    onReport,
    phoneRegion: config.phoneRegion,
  });
}
