import type { NatsConnection } from '@nats-io/transport-node';
import { ingestSubject } from '@pulse/nats';

/** Options for {@link publishCalls}. */
export interface PublishCallsOptions {
  nc: NatsConnection;
  source: string;
  /** Most calls per request. @default 200 */
  batchSize?: number;
  /** Most JSON bytes per request, under the collector's 500 KB. @default 400_000 */
  maxBatchBytes?: number;
  /** Requests in flight at once. @default 8 */
  concurrency?: number;
  /** Per request. @default 30_000 */
  timeoutMs?: number;
  /**
   * Called after each acknowledged request with the calls it carried and the
   * 0-based position of its first call in `calls`; requests may finish out
   * of order.
   */
  onProgress?: (report: IngestReport, calls: number, first: number) => void;
}

/** What a collector answers for one request. */
export interface IngestReport {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: { index: number; outcome: number; reason: string; field: string }[];
}

/** Totals of one import. */
export interface PublishTotals {
  calls: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first few rejections, with their reasons. */
  rejections: { field: string; reason: string }[];
}

const encoder = new TextEncoder();

/**
 * Sends Segment calls (as `SegmentCall`s, or any JSON value, which the
 * collector rejects to the DLQ) to the collectors over NATS request/reply in batches,
 * with a bounded number in flight. Every call is acknowledged (accepted,
 * duplicate or rejected) before this resolves; re-running an import is safe
 * because message ids make the second run all duplicates.
 */
export async function publishCalls(
  calls: AsyncIterable<unknown>,
  options: PublishCallsOptions,
): Promise<PublishTotals> {
  const batchSize = options.batchSize ?? 200;
  const concurrency = options.concurrency ?? 8;
  const totals: PublishTotals = {
    calls: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    rejections: [],
  };
  const inFlight = new Set<Promise<void>>();

  const maxBatchBytes = options.maxBatchBytes ?? 400_000;

  const send = async (batch: string[], first: number) => {
    const body = encoder.encode(`{"batch":[${batch.join(',')}]}`);
    const reply = await options.nc.request(ingestSubject(options.source), body, {
      timeout: options.timeoutMs ?? 30_000,
    });
    const report = reply.json<IngestReport & { error?: { reason: string } }>();
    if (report.error) throw new Error(`collector refused a batch: ${report.error.reason}`);
    totals.accepted += report.accepted;
    totals.duplicates += report.duplicates;
    totals.rejected += report.rejected;
    for (const r of report.results) {
      if (r.reason && totals.rejections.length < 10) totals.rejections.push(r);
    }
    options.onProgress?.(report, batch.length, first);
  };

  let batch: string[] = [];
  let batchBytes = 0;
  let sent = 0; // calls handed to requests so far
  const flush = async () => {
    const pending = send(batch, sent).finally(() => inFlight.delete(pending));
    sent += batch.length;
    inFlight.add(pending);
    batch = [];
    batchBytes = 0;
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };
  try {
    for await (const call of calls) {
      totals.calls += 1;
      const json = JSON.stringify(call);
      if (batch.length > 0 && batchBytes + json.length + 1 > maxBatchBytes) await flush();
      batch.push(json);
      batchBytes += json.length + 1;
      if (batch.length === batchSize) await flush();
    }
  } catch (err) {
    // The input failed (a malformed row): let the requests already sent be
    // answered, so their progress is reported, then fail.
    await Promise.allSettled(inFlight);
    throw err;
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  return totals;
}
