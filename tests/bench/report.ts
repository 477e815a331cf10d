import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Which way a ratio must lie to meet its target. */
export type TargetOp = '>=' | '<=';

/** One figure beside its reference measured in the same run. */
export interface BenchRow {
  figure: string;
  unit: string;
  ours: number;
  reference: number;
  /** ours / reference. */
  ratio: number;
  target: { op: TargetOp; ratio: number };
  /** The design's absolute figure for a quiet 2-core server, for reading beside ours. */
  quietTarget?: string;
}

/** A plain table of supporting figures (per phase, per step). */
export interface DetailTable {
  headers: string[];
  rows: string[][];
}

/** Everything one benchmark reports. */
export interface BenchResult {
  name: string;
  /** What was measured, in a line or two: the workload and the reference. */
  workload: string[];
  rows: BenchRow[];
  details?: DetailTable;
  notes?: string[];
  /** Raw figures for the JSON file. */
  raw?: unknown;
}

/** Builds a row, computing the ratio. */
export function row(
  figure: string,
  unit: string,
  ours: number,
  reference: number,
  target: BenchRow['target'],
  quietTarget?: string,
): BenchRow {
  return { figure, unit, ours, reference, ratio: ours / reference, target, quietTarget };
}

/** Whether a row meets its ratio target. */
export function meets(r: BenchRow): boolean {
  return r.target.op === '>=' ? r.ratio >= r.target.ratio : r.ratio <= r.target.ratio;
}

/** Prints one benchmark: its workload, the ratio table and any details. */
export function printResult(result: BenchResult): void {
  console.log(`\n== ${result.name}`);
  for (const line of result.workload) console.log(`   ${line}`);
  console.log();
  const headers = ['figure', 'ours', 'reference', 'ratio', 'target', 'ok', 'quiet 2-core target'];
  const rows = result.rows.map((r) => [
    r.figure,
    `${formatNumber(r.ours)} ${r.unit}`,
    `${formatNumber(r.reference)} ${r.unit}`,
    r.ratio.toFixed(2),
    `${r.target.op} ${r.target.ratio}`,
    meets(r) ? 'yes' : 'NO',
    r.quietTarget ?? '-',
  ]);
  printTable(headers, rows);
  if (result.details) {
    console.log();
    printTable(result.details.headers, result.details.rows);
  }
  for (const note of result.notes ?? []) console.log(`   note: ${note}`);
}

/** Writes all results and `context` as JSON, to `path` or a new file under the OS temp dir. */
export function writeJson(
  results: BenchResult[],
  path: string | undefined,
  context: Record<string, unknown> = {},
): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = path ?? join(tmpdir(), `pulse-bench-${stamp}.json`);
  const body = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    ...context,
    results: results.map((r) => ({ ...r, rows: r.rows.map((x) => ({ ...x, ok: meets(x) })) })),
  };
  writeFileSync(target, JSON.stringify(body, null, 2));
  return target;
}

/** Three significant digits below 100, thousands separators above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return value.toPrecision(3);
}

/** Prints left-aligned text columns, numbers right-aligned. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (text: string) => /^[-+]?[\d,.]+( |$)/.test(text);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`   ${line(headers)}`);
  console.log(`   ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(`   ${line(r)}`);
}
