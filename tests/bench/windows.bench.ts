import { compareWindows } from './window-compare.js';
import { formatNumber, row } from './report.js';
import type { BenchResult, BenchRow } from './report.js';

/** Options of {@link runWindowsBench}. */
export interface WindowsBenchOptions {
  /** Events per window size, each side. */
  events: number;
  /** Timed runs per side and size; the best counts. */
  runs: number;
}

const EVENTS_PER_WINDOW = [150, 500, 1_500] as const;
const TARGET = { op: '>=', ratio: 5 } as const;

/**
 * Window update: a 30-day `sum` in 1-day buckets through `applyEvent`
 * against a naive recompute over the raw events in the same process, at
 * three window sizes; update-only and update+read each get a ratio row.
 */
export async function runWindowsBench(options: WindowsBenchOptions): Promise<BenchResult> {
  const results = compareWindows(EVENTS_PER_WINDOW, options.events, options.runs);
  const rows: BenchRow[] = [];
  for (const r of results) {
    const label = `${r.eventsPerWindow} events/window`;
    rows.push(row(`update, ${label}`, 'events/s', r.updatePerSec, r.naivePerSec, TARGET));
    rows.push(row(`update+read, ${label}`, 'events/s', r.updateReadPerSec, r.naivePerSec, TARGET));
  }
  const perSec = (value: number) => `${formatNumber(value)}/s`;
  return {
    name: 'window update: 30d sum in 1d buckets vs naive recompute',
    workload: [
      `${formatNumber(options.events)} synthetic events per window size over 60 days, ` +
        `10% up to 3 days late, best of ${options.runs} runs per side`,
      'ours: applyEvent on a 30d/1d-bucket sum (update+read: readFeatures after each event)',
      'reference: raw (time, value) pairs per profile, pruned and re-summed on every event',
    ],
    rows,
    details: {
      headers: ['events/window', 'profiles', 'update', 'update+read', 'naive', 'ratio u / u+r'],
      rows: results.map((r) => [
        String(r.eventsPerWindow),
        r.profiles.toLocaleString('en'),
        perSec(r.updatePerSec),
        perSec(r.updateReadPerSec),
        perSec(r.naivePerSec),
        `${(r.updatePerSec / r.naivePerSec).toFixed(1)}x / ` +
          `${(r.updateReadPerSec / r.naivePerSec).toFixed(1)}x`,
      ]),
    },
    raw: results,
  };
}
