import { fromBinary } from '@bufbuild/protobuf';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { BATCH_MAX_BYTES, InvalidEventError, normalizeEvent, validateEvent } from '@pulse/events';
import type { NormalizeOptions } from '@pulse/events';
import { CONTENT_TYPES, HEADERS, SUBJECTS, isValidSourceToken } from '@pulse/nats';
import { IngestBatchRequestSchema } from '@pulse/proto';
import type { Logger } from 'pino';
import { ingestBatch } from './ingest-batch.js';
import type { BatchReport, Candidate, IngestContext } from './ingest-batch.js';

/** Options for {@link serveNatsIntake}. */
export interface NatsIntakeOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  /** Collectors share work through this queue group. @default 'pulse-collectors' */
  queue?: string;
  logger: Logger;
  onReport?: IngestContext['onReport'];
  /** Region of national phone numbers; see NormalizeOptions.phoneRegion. */
  phoneRegion?: string;
}

const encoder = new TextEncoder();

/**
 * Serves `pulse.ingest.<source>`: a body is one Segment-spec call, a Segment
 * batch (`{"batch": [...]}`) or, with `Content-Type: application/x-protobuf`,
 * an IngestBatchRequest. A request with a reply subject gets the JSON report
 * once JetStream stored every accepted event.
 */
export function serveNatsIntake(options: NatsIntakeOptions): Subscription {
  const log = options.logger.child({ component: 'nats-intake' });
  const sub = options.nc.subscribe(`${SUBJECTS.ingest}.*`, {
    queue: options.queue ?? 'pulse-collectors',
    callback: (err, msg) => {
      if (err) {
        log.error({ err }, 'ingest subscription failed');
        return;
      }
      handle(options, msg, log).catch((error: unknown) => {
        log.error({ err: error, subject: msg.subject }, 'ingest request failed');
        respond(msg, { error: { field: '', reason: 'events could not be stored; retry' } });
      });
    },
  });
  log.info({ subject: sub.getSubject() }, 'nats intake serving');
  return sub;
}

async function handle(options: NatsIntakeOptions, msg: Msg, logger: Logger): Promise<void> {
  const source = msg.subject.slice(SUBJECTS.ingest.length + 1);
  const ctx: IngestContext = { js: options.js, source, logger, onReport: options.onReport };
  if (!isValidSourceToken(source)) {
    respond(msg, { error: { field: 'subject', reason: 'source must match [A-Za-z0-9_-]{1,64}' } });
    return;
  }
  if (msg.data.length > BATCH_MAX_BYTES) {
    const reason = `body of ${msg.data.length} bytes exceeds the 500 KB batch limit`;
    respond(msg, await refuseWhole(ctx, msg.data, 'batch', reason));
    return;
  }
  const normalizeOptions = { source, receivedAtMs: Date.now(), phoneRegion: options.phoneRegion };
  const contentType = msg.headers?.get(HEADERS.contentType) ?? CONTENT_TYPES.json;
  const candidates =
    contentType === CONTENT_TYPES.protobuf
      ? protobufCandidates(msg.data, normalizeOptions)
      : jsonCandidates(msg.data, normalizeOptions);
  if (typeof candidates === 'string') {
    respond(msg, await refuseWhole(ctx, msg.data, 'body', candidates));
    return;
  }
  respond(msg, await ingestBatch(ctx, candidates));
}

function jsonCandidates(data: Uint8Array, options: NormalizeOptions): Candidate[] | string {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'body is not valid JSON';
  }
  // A Segment batch is `{"batch": [...]}`; a call that happens to carry a
  // `batch` property is still one call.
  const calls = isObject(body) && 'batch' in body && !('type' in body) ? body.batch : [body];
  if (!Array.isArray(calls)) return "'batch' must be an array";
  if (calls.length === 0) return "'batch' must not be empty";
  return calls.map((call) => ({
    normalize: () => normalizeEvent(call, options),
    original: () => originalBytes(call, data),
  }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The call's own JSON; the whole body when it cannot be serialized (too deep). */
function originalBytes(call: unknown, body: Uint8Array): Uint8Array {
  try {
    return encoder.encode(JSON.stringify(call) ?? 'null');
  } catch {
    return body;
  }
}

function protobufCandidates(data: Uint8Array, options: NormalizeOptions): Candidate[] | string {
  try {
    const request = fromBinary(IngestBatchRequestSchema, data);
    return request.events.map((event) => ({
      normalize: () => validateEvent(event, options),
      original: () => data,
    }));
  } catch {
    return 'body is not an encoded pulse.v1.IngestBatchRequest';
  }
}

/** Sends a whole unusable body to the dead-letter stream and reports it. */
async function refuseWhole(
  ctx: IngestContext,
  data: Uint8Array,
  field: string,
  reason: string,
): Promise<BatchReport> {
  const refusal: Candidate = {
    normalize: () => {
      throw new InvalidEventError(field, reason);
    },
    original: () => data,
  };
  ctx.logger.warn({ field, reason, source: ctx.source }, 'ingest request refused');
  return ingestBatch(ctx, [refusal]);
}

function respond(msg: Msg, body: unknown): void {
  if (msg.reply) msg.respond(encoder.encode(JSON.stringify(body)));
}
