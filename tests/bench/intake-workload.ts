import { create, toBinary } from '@bufbuild/protobuf';
import { normalizeEvent } from '@pulse/events';
import type { SegmentCall } from '@pulse/events';
import { readUciOnlineRetail } from '@pulse/loaders';
import { IngestBatchRequestSchema } from '@pulse/proto';
import type { IngestBatchRequest } from '@pulse/proto';

/** Largest call kept, so that 100 calls stay well under the 500 KB request limit. */
const MAX_CALL_BYTES = 4_096;

/** The same events for each intake path, ready to send, with their own message ids. */
export interface IntakeWorkload {
  /** `{"batch": [...]}` bodies, for HTTP /v1/batch and the NATS subject. */
  jsonBodies: string[];
  /** The same batches as typed requests, for gRPC IngestBatch. */
  grpcRequests: IngestBatchRequest[];
  events: number;
  /** Mean bytes of one call as JSON. */
  meanCallBytes: number;
  /** Mean bytes of one event as protobuf. */
  meanEventBytes: number;
}

/** The UCI file's order calls of at most 4 KB, read once per process. */
let templates: SegmentCall[] | undefined;

async function orderTemplates(file: string): Promise<SegmentCall[]> {
  if (!templates) {
    templates = [];
    for await (const call of readUciOnlineRetail(file)) {
      if (JSON.stringify(call).length <= MAX_CALL_BYTES) templates.push(call);
    }
  }
  return templates;
}

/**
 * `events` order calls cycled from the UCI file in batches of `batchSize`,
 * with message ids unique to `runId`, so nothing is dropped as a duplicate.
 * The gRPC requests carry the same calls normalized on the client side, as a
 * typed client would send them.
 */
export async function buildIntakeWorkload(
  file: string,
  options: { events: number; batchSize: number; runId: string },
): Promise<IntakeWorkload> {
  const calls = await orderTemplates(file);
  const workload: IntakeWorkload = {
    jsonBodies: [],
    grpcRequests: [],
    events: 0,
    meanCallBytes: 0,
    meanEventBytes: 0,
  };
  let callBytes = 0;
  let eventBytes = 0;
  for (let first = 0; first < options.events; first += options.batchSize) {
    const count = Math.min(options.batchSize, options.events - first);
    const batch = Array.from({ length: count }, (_, i) => ({
      ...calls[(first + i) % calls.length]!,
      messageId: `${options.runId}-${first + i}`,
    }));
    const json = batch.map((call) => JSON.stringify(call));
    callBytes += json.reduce((sum, text) => sum + text.length, 0);
    workload.jsonBodies.push(`{"batch":[${json.join(',')}]}`);
    const events = batch.map((call) =>
      normalizeEvent(call, { source: 'bench', receivedAtMs: Date.now() }),
    );
    const request = create(IngestBatchRequestSchema, { events });
    eventBytes += toBinary(IngestBatchRequestSchema, request).length;
    workload.grpcRequests.push(request);
    workload.events += count;
  }
  workload.meanCallBytes = callBytes / workload.events;
  workload.meanEventBytes = eventBytes / workload.events;
  return workload;
}
