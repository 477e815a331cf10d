import { toBinary } from '@bufbuild/protobuf';
import { isInvalidEventError } from '@pulse/events';
import { UnavailableError } from '@pulse/grpc';
import { HEADERS, deadLetterSubject, rawSubject } from '@pulse/nats';
import { EventOutcome, EventSchema } from '@pulse/proto';
import type { Event } from '@pulse/proto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** One event as received, before validation. */
export interface Candidate {
  /** Validates and normalizes; throws InvalidEventError on bad input. */
  normalize: () => Event;
  /** The bytes as received, kept for the dead-letter stream. */
  original: () => Uint8Array;
}

/** The outcome of one event of a request. */
export interface CandidateResult {
  index: number;
  messageId: string;
  outcome: EventOutcome;
  reason: string;
  field: string;
}

/** Counts and per-event results of one request. */
export interface BatchReport {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: CandidateResult[];
}

/** What {@link ingestBatch} needs. */
export interface IngestContext {
  js: JetStreamClient;
  source: string;
  logger: Logger;
  /** Told every report; sources are bounded by the subject token rule. */
  onReport?: (source: string, report: BatchReport) => void;
}

/**
 * Validates a request's events, publishes the good ones to the raw stream with
 * message_id as JetStream's de-duplication id, and sends the bad ones to the
 * dead-letter stream with their reason. Resolves only after JetStream has
 * acknowledged every write, so a success is never a lost event; a failed
 * write rejects the whole call and the sender retries safely.
 */
export async function ingestBatch(
  ctx: IngestContext,
  candidates: Candidate[],
): Promise<BatchReport> {
  const results: CandidateResult[] = [];
  const writes: Promise<void>[] = [];
  const seen = new Set<string>();
  candidates.forEach((candidate, index) => {
    let event: Event;
    try {
      event = candidate.normalize();
    } catch (err) {
      if (!isInvalidEventError(err)) throw err;
      const result = rejected(index, err.field, err.reason);
      results.push(result);
      writes.push(deadLetter(ctx, candidate.original(), result));
      return;
    }
    const result = {
      index,
      messageId: event.messageId,
      outcome: EventOutcome.ACCEPTED,
      reason: '',
      field: '',
    };
    results.push(result);
    if (seen.has(event.messageId)) {
      result.outcome = EventOutcome.DUPLICATE;
      return;
    }
    seen.add(event.messageId);
    writes.push(publish(ctx, event, result));
  });
  try {
    await Promise.all(writes);
  } catch (err) {
    // Some writes may have landed; message ids make the sender's retry safe.
    throw new UnavailableError('events could not be stored in JetStream; retry', { cause: err });
  }
  const report = summarize(results);
  ctx.onReport?.(ctx.source, report);
  return report;
}

async function publish(ctx: IngestContext, event: Event, result: CandidateResult): Promise<void> {
  const ack = await ctx.js.publish(rawSubject(ctx.source), toBinary(EventSchema, event), {
    msgID: event.messageId,
  });
  if (ack.duplicate) result.outcome = EventOutcome.DUPLICATE;
}

async function deadLetter(
  ctx: IngestContext,
  original: Uint8Array,
  result: CandidateResult,
): Promise<void> {
  const h = headers();
  h.set(HEADERS.reason, result.reason);
  h.set(HEADERS.field, result.field);
  h.set(HEADERS.source, ctx.source);
  h.set(HEADERS.receivedAt, new Date().toISOString());
  await ctx.js.publish(deadLetterSubject(ctx.source), original, { headers: h });
  if (ctx.logger.isLevelEnabled('debug')) {
    ctx.logger.debug({ field: result.field, reason: result.reason }, 'event rejected');
  }
}

/** A result for an event refused before it reached the stream. */
export function rejected(index: number, field: string, reason: string): CandidateResult {
  return { index, messageId: '', outcome: EventOutcome.REJECTED, reason, field };
}

function summarize(results: CandidateResult[]): BatchReport {
  const count = (outcome: EventOutcome) => results.filter((r) => r.outcome === outcome).length;
  return {
    accepted: count(EventOutcome.ACCEPTED),
    duplicates: count(EventOutcome.DUPLICATE),
    rejected: count(EventOutcome.REJECTED),
    results,
  };
}
