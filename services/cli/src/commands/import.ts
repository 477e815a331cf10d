import { connect } from '@nats-io/transport-node';
import { getLoader } from '@pulse/loaders';
import { formatNumber } from '../print.js';
import { createProgress } from '../progress.js';
import { publishCalls } from '@pulse/client';

/** Options of `pulse import`. */
export interface ImportOptions {
  format: string;
  source: string;
  natsUrl: string;
}

/**
 * Sends a file's events to running collectors. Safe to run again after an
 * interruption: every event keeps its message id, so what was stored before
 * comes back as duplicates and counts once.
 */
export async function runImport(file: string, options: ImportOptions): Promise<void> {
  const loader = getLoader(options.format);
  const nc = await connect({ servers: options.natsUrl });
  const progress = createProgress('events');
  try {
    const totals = await publishCalls(loader.read(file), {
      nc,
      source: options.source,
      onProgress: (_, calls) => progress.increment(calls),
    });
    progress.stop();
    process.stdout.write(
      `${formatNumber(totals.calls)} events: ${formatNumber(totals.accepted)} accepted, ` +
        `${formatNumber(totals.duplicates)} duplicates, ${formatNumber(totals.rejected)} rejected\n`,
    );
    for (const r of totals.rejections)
      process.stdout.write(`  rejected: ${r.field}: ${r.reason}\n`);
  } finally {
    await nc.close();
  }
}
