import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

import { connect } from '@nats-io/transport-node';
import { publishCalls } from '@pulse/client';
import type { IngestReport } from '@pulse/client';
import { fileIdentity, getLoader } from '@pulse/loaders';
import type { ImportRecord } from '@pulse/loaders';

import { natsConnectOptions } from '../client-security.js';
import { UsageError } from '../errors.js';
import { AckWatermark } from '../import/ack-watermark.js';
import { ImportCheckpoint } from '../import/checkpoint.js';
import { formatNumber } from '../print.js';
import { createFileProgress } from '../progress.js';

/** Options of `pulse import`. */
export interface ImportOptions {
  format: string;
  source: string;
  natsUrl: string;
  /** The YAML column mapping, for `--format mapping`. */
  mapping?: string;
  /** Where checkpoints are kept. */
  stateDir: string;
  /** Ignore a checkpoint and send the whole file again. */
  restart?: boolean;
  batchSize?: number;
  json?: boolean;
}

/** A rejected record, located in the file. */
interface Rejection {
  record: number;
  line?: number;
  field: string;
  reason: string;
  problem?: string;
}

const MAX_REJECTIONS_SHOWN = 20;

/**
 * Sends a file's events to running collectors, resuming after the records a
 * previous, interrupted run got acknowledged (its checkpoint in `stateDir`).
 * Records past that point may have been stored too; their message ids are
 * the same on every run, so they come back as duplicates and count once.
 */
export async function runImport(file: string, options: ImportOptions): Promise<void> {
  const loader = getLoader(options.format);
  if (options.format === 'mapping' && !options.mapping) {
    throw new UsageError("'--mapping <file.yaml>' is required with --format mapping");
  }
  const sizeBytes = statSync(file).size;
  const fileId = await fileIdentity(file);
  const mappingText = options.mapping ? readFileSync(options.mapping, 'utf8') : '';
  const checkpoint = new ImportCheckpoint(options.stateDir, options.format, file, mappingText);
  const skip = resumePoint(checkpoint, fileId, options);
  const base = { format: options.format, file: resolve(file), fileId };

  const progress = createFileProgress(sizeBytes);
  const watermark = new AckWatermark(skip);
  const inFlight = new Map<number, ImportRecord>();
  const rejections: Rejection[] = [];
  const onProgress = (report: IngestReport, calls: number, first: number) => {
    collectRejections(report, skip + first, inFlight, rejections);
    for (let i = 0; i < calls; i += 1) inFlight.delete(skip + first + i);
    if (watermark.acknowledge(skip + first, calls)) {
      checkpoint.save({ ...base, acknowledged: watermark.count });
      progress.records(watermark.count);
    }
  };

  const records = loader.read(file, { mapping: options.mapping, onBytes: progress.read });
  const nc = await connect({ servers: options.natsUrl, ...natsConnectOptions() });
  try {
    const totals = await publishCalls(callsAfter(records, skip, inFlight), {
      nc,
      source: options.source,
      batchSize: options.batchSize,
      onProgress,
    });
    progress.stop();
    checkpoint.remove();
    printTotals({ ...totals, resumedAfter: skip, rejections }, options.json ?? false);
  } finally {
    progress.stop();
    await nc.close();
  }
}

/** Records to skip: those a matching checkpoint says were acknowledged. */
function resumePoint(checkpoint: ImportCheckpoint, fileId: string, options: ImportOptions) {
  const saved = options.restart ? undefined : checkpoint.load();
  if (!saved) return 0;
  if (saved.fileId !== fileId) {
    process.stderr.write(`pulse: the file changed since ${checkpoint.path}; starting over\n`);
    return 0;
  }
  process.stderr.write(`pulse: resuming after ${formatNumber(saved.acknowledged)} records\n`);
  return saved.acknowledged;
}

/** The calls after the first `skip` records, remembering each until it is acknowledged. */
async function* callsAfter(
  records: AsyncIterable<ImportRecord>,
  skip: number,
  inFlight: Map<number, ImportRecord>,
): AsyncGenerator<unknown> {
  let position = 0;
  for await (const record of records) {
    if (position >= skip) {
      inFlight.set(position, record);
      yield record.call;
    }
    position += 1;
  }
}

function collectRejections(
  report: IngestReport,
  first: number,
  inFlight: Map<number, ImportRecord>,
  into: Rejection[],
): void {
  for (const result of report.results) {
    if (!result.reason || into.length >= MAX_REJECTIONS_SHOWN) continue;
    const record = inFlight.get(first + result.index);
    into.push({
      record: first + result.index + 1,
      line: record?.line,
      field: result.field,
      reason: result.reason,
      problem: record?.problem,
    });
  }
}

interface ImportSummary {
  calls: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  resumedAfter: number;
  rejections: Rejection[];
}

function printTotals(summary: ImportSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const { calls, accepted, duplicates, rejected } = summary;
  process.stdout.write(
    `${formatNumber(calls)} events sent: ${formatNumber(accepted)} accepted, ` +
      `${formatNumber(duplicates)} duplicates, ${formatNumber(rejected)} rejected to the DLQ\n`,
  );
  for (const r of summary.rejections) {
    const where = r.line === undefined ? `record ${r.record}` : `line ${r.line}`;
    const problem = r.problem ? ` (${r.problem})` : '';
    process.stdout.write(`  ${where}: rejected: ${r.field}: ${r.reason}${problem}\n`);
  }
}
