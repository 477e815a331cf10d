import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import type { JetStreamClient } from '@nats-io/jetstream';
import { BATCH_MAX_BYTES, normalizeEvent } from '@pulse/events';
import { REQUEST_ID_METADATA_KEY, isUnavailableError, requestIdOf } from '@pulse/grpc';
import { EventOutcome } from '@pulse/proto';
import fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isRequestRefusedError } from './errors.js';
import {
  CALL_TYPES,
  TOO_LARGE_MESSAGE,
  bodyWriteKey,
  callsOf,
  decodeJsonBody,
} from './http-body.js';
import type { CallType } from './http-body.js';
import { ingestBatch } from './ingest-batch.js';
import type { BatchReport, Candidate, IngestContext } from './ingest-batch.js';
import { intakeSource } from './intake-auth.js';
import type { IntakeAuth } from './intake-auth.js';
import { basicAuthUser } from './write-keys.js';

/** Options for {@link startHttpIntake}. */
export interface HttpIntakeOptions {
  js: JetStreamClient;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Write keys and API keys, and the source each one files its events under. */
  auth: IntakeAuth;
  logger: Logger;
  onReport?: IngestContext['onReport'];
  /** Region of national phone numbers; see NormalizeOptions.phoneRegion. */
  phoneRegion?: string;
}

/** A listening HTTP intake. */
export interface HttpIntake {
  readonly port: number;
  /** Stops accepting requests and waits up to `graceMs` for those in flight. */
  close(graceMs: number): Promise<void>;
}

const OUTCOME_NAMES: Record<EventOutcome, string> = {
  [EventOutcome.UNSPECIFIED]: 'unspecified',
  [EventOutcome.ACCEPTED]: 'accepted',
  [EventOutcome.DUPLICATE]: 'duplicate',
  [EventOutcome.REJECTED]: 'rejected',
};

const encoder = new TextEncoder();

/**
 * Serves Segment's HTTP tracking API (`/v1/track`, `/v1/identify`,
 * `/v1/page`, `/v1/screen`, `/v1/group`, `/v1/alias`, `/v1/batch`,
 * `/v1/import`) with the write key as the Basic auth user name. A request
 * gets 200 once JetStream stored its accepted events, 503 when it could not.
 */
export async function startHttpIntake(options: HttpIntakeOptions): Promise<HttpIntake> {
  const log = options.logger.child({ component: 'http-intake' });
  const app = fastify({
    logger: false,
    bodyLimit: BATCH_MAX_BYTES,
    // The sender's X-Request-Id when usable, else a fresh one; answered in the same header.
    genReqId: (req) => requestIdOf(req.headers[REQUEST_ID_METADATA_KEY]) ?? randomUUID(),
  });
  await app.register(cors, {
    origin: '*',
    methods: ['POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_METADATA_KEY, request.id);
  });

  // Bodies stay raw: gzip comes off before JSON parsing, in the handler.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) =>
    replyError(err, reply, log.child({ requestId: request.id })),
  );

  const route = (type?: CallType) => (request: FastifyRequest, reply: FastifyReply) =>
    handle(options, log.child({ requestId: request.id }), type, request, reply);
  for (const type of CALL_TYPES) app.post(`/v1/${type}`, route(type));
  for (const path of ['/v1/batch', '/v1/import']) app.post(path, route());

  await app.listen({ host: options.host, port: options.port });
  const port = listeningPort(app);
  const { writeKeys, access } = options.auth;
  log.info(
    { port, writeKeys: writeKeys.size, apiKeys: access?.enabled ?? false },
    'http intake serving',
  );
  return { port, close: (graceMs) => closeApp(app, graceMs, log) };
}

async function handle(
  options: HttpIntakeOptions,
  log: Logger,
  endpointType: CallType | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  // A key in the header is checked before the body is inflated and parsed.
  const headerKey = basicAuthUser(request.headers.authorization);
  if (headerKey !== undefined) intakeSource(options.auth, headerKey);

  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const body = await decodeJsonBody(raw, request.headers['content-encoding']);
  const source = intakeSource(options.auth, headerKey ?? bodyWriteKey(body));
  const calls = callsOf(body, endpointType);

  const receivedAtMs = Date.now();
  const candidates: Candidate[] = calls.map((call) => ({
    normalize: () =>
      normalizeEvent(call, { source, receivedAtMs, phoneRegion: options.phoneRegion }),
    original: () => originalBytes(call, raw),
  }));
  const { js, onReport } = options;
  const report = await ingestBatch({ js, source, logger: log, onReport }, candidates);
  await reply.code(200).send(successBody(report));
}

/** The call's own JSON; the body as received when it cannot be serialized (too deep). */
function originalBytes(call: unknown, raw: Buffer): Uint8Array {
  try {
    return encoder.encode(JSON.stringify(call) ?? 'null');
  } catch {
    return raw;
  }
}

function successBody(report: BatchReport) {
  const results = report.results.map((result) => {
    return { ...result, outcome: OUTCOME_NAMES[result.outcome] };
  });
  return { success: true, ...report, results };
}

/** Maps a failure to its status: 400, 401 and 403 refusals, 503 to retry, else 500. */
async function replyError(err: unknown, reply: FastifyReply, log: Logger) {
  const fastifyError = err as Partial<FastifyError>;
  const status = fastifyError.statusCode ?? 500;
  if (isRequestRefusedError(err)) {
    log.debug({ status, reason: err.message }, 'http request refused');
    await reply.code(err.statusCode).send({ error: err.message });
  } else if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    // Segment answers 400, not 413, for an oversized request.
    await reply.code(400).send({ error: TOO_LARGE_MESSAGE });
  } else if (isUnavailableError(err)) {
    log.error({ err }, 'http ingest could not reach JetStream');
    await reply.code(503).send({ error: 'events could not be stored; retry' });
  } else if (status < 500) {
    // Fastify's own client errors, such as a content length that does not match.
    await reply.code(status).send({ error: fastifyError.message });
  } else {
    log.error({ err }, 'http ingest request failed');
    await reply.code(500).send({ error: 'internal error' });
  }
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function closeApp(app: FastifyInstance, graceMs: number, log: Logger) {
  const timer = setTimeout(() => {
    log.warn({ graceMs }, 'http intake grace period over; closing connections');
    app.server.closeAllConnections();
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
  log.info('http intake closed');
}
