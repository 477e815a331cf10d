import { toBinary } from '@bufbuild/protobuf';
import type { JetStreamClient } from '@nats-io/jetstream';
import { BATCH_MAX_BYTES, validateEvent } from '@pulse/events';
import { InvalidArgumentError, SCOPES } from '@pulse/grpc';
import type { CallContext, MethodScopes, ServiceHandlers } from '@pulse/grpc';
import { isValidSourceToken } from '@pulse/nats';
import { IngestBatchRequestSchema } from '@pulse/proto';
import type { DiagnosticsService, Event, IngestService } from '@pulse/proto';
import { EventSchema } from '@pulse/proto';
import type { Logger } from 'pino';
import { ingestBatch } from './ingest-batch.js';
import type { Candidate, IngestContext } from './ingest-batch.js';

/** Metadata key naming the source of gRPC ingest calls. */
export const SOURCE_METADATA_KEY = 'pulse-source';

/** The source gRPC events are filed under when the caller names none. */
export const DEFAULT_GRPC_SOURCE = 'grpc';

/** Both IngestService methods need the `ingest` scope. */
export const INGEST_SCOPES: MethodScopes<typeof IngestService> = {
  ingest: [SCOPES.ingest],
  ingestBatch: [SCOPES.ingest],
};

/** Ping answers any known key. */
export const DIAGNOSTICS_SCOPES: MethodScopes<typeof DiagnosticsService> = { ping: [] };

/**
 * IngestService over gRPC: the same validation, dead-letter and JetStream
 * acknowledgement as the NATS intake. The source comes from the
 * `pulse-source` metadata entry, else from the caller's API key.
 */
export function ingestHandlers(
  js: JetStreamClient,
  logger: Logger,
  onReport?: IngestContext['onReport'],
  phoneRegion = '',
): ServiceHandlers<typeof IngestService> {
  return {
    async ingest(request, call) {
      if (!request.event) throw new InvalidArgumentError('event', 'is required');
      const report = await run(
        { js, logger: call.logger, onReport },
        call,
        [request.event],
        phoneRegion,
      );
      return { result: report.results[0] };
    },

    async ingestBatch(request, call) {
      if (request.events.length === 0) {
        throw new InvalidArgumentError('events', 'must not be empty');
      }
      const bytes = toBinary(IngestBatchRequestSchema, request).length;
      if (bytes > BATCH_MAX_BYTES) {
        throw new InvalidArgumentError(
          'events',
          `batch of ${bytes} bytes exceeds the 500 KB limit`,
        );
      }
      return run({ js, logger: call.logger, onReport }, call, request.events, phoneRegion);
    },
  };
}

function run(
  base: Omit<IngestContext, 'source'>,
  call: CallContext,
  events: Event[],
  phoneRegion: string,
) {
  const source = sourceOf(call);
  const receivedAtMs = Date.now();
  const candidates: Candidate[] = events.map((event) => ({
    normalize: () => validateEvent(event, { source, receivedAtMs, phoneRegion }),
    original: () => toBinary(EventSchema, event),
  }));
  return ingestBatch({ ...base, source }, candidates);
}

function sourceOf(call: CallContext): string {
  const value = call.metadata.get(SOURCE_METADATA_KEY)[0];
  const fallback = call.apiKey?.source ?? DEFAULT_GRPC_SOURCE;
  const source = typeof value === 'string' && value !== '' ? value : fallback;
  if (!isValidSourceToken(source)) {
    throw new InvalidArgumentError(SOURCE_METADATA_KEY, 'must match [A-Za-z0-9_-]{1,64}');
  }
  return source;
}
