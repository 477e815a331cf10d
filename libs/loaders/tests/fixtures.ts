import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, three levels above this file. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The shared UCI data file, kept outside the repository. */
export const UCI_FILE = path.resolve(REPO_ROOT, '../shared/data/uci_online_retail_2010-12.csv');

export const UCI_HEADER =
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/** Writes CSV files into a fresh temp directory; `cleanup` removes it. */
export async function tempCsvDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'pulse-loaders-'));
  let count = 0;
  return {
    async write(lines: readonly string[]): Promise<string> {
      count += 1;
      const file = path.join(dir, `input-${count}.csv`);
      await writeFile(file, `${lines.join('\n')}\n`);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Drains an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

/** Writes any text files into a fresh temp directory; `cleanup` removes it. */
export async function tempFileDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'pulse-loaders-'));
  let count = 0;
  return {
    dir,
    async write(text: string, name?: string): Promise<string> {
      count += 1;
      const file = path.join(dir, name ?? `input-${count}.txt`);
      await writeFile(file, text);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/** The documented message id of a row: `<format>-<line>-<first 16 hex of SHA-256>`. */
export function documentedId(format: string, line: number, content: string | string[]): string {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return `${format}-${line}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
