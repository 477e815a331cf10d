import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import { recordMessageId } from './import-record.js';
import type { ImportRecord } from './import-record.js';

/** Options of {@link readNdjson}. */
export interface NdjsonOptions {
  /** Told the size of each chunk read from the file. */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams a file of Segment-spec calls, one JSON object a line, as records.
 * A call without `messageId` (or `message_id`) gets `ndjson-<line>-<digest>`
 * so a re-import deduplicates. Blank lines are skipped. A line that is not
 * JSON is passed on as its text with `problem` set: the collector rejects it
 * to the DLQ like any other bad event, and nothing after it is lost.
 */
export async function* readNdjson(
  path: string,
  options: NdjsonOptions = {},
): AsyncGenerator<ImportRecord> {
  const file = createReadStream(path, { encoding: 'utf8' });
  if (options.onBytes) {
    const onBytes = options.onBytes;
    file.on('data', (chunk) => onBytes(Buffer.byteLength(chunk)));
  }
  const lines = createInterface({ input: file, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    yield ndjsonRecord(text, line);
  }
}

function ndjsonRecord(text: string, line: number): ImportRecord {
  let call: unknown;
  try {
    call = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { call: text, line, problem: `line is not valid JSON (${detail})` };
  }
  if (isObject(call) && !hasMessageId(call)) {
    call = { ...call, messageId: recordMessageId('ndjson', line, text) };
  }
  return { call, line };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasMessageId(call: Record<string, unknown>): boolean {
  const present = (value: unknown) => typeof value !== 'string' || value.trim() !== '';
  const given = (key: string) => call[key] !== undefined && call[key] !== null;
  return (
    (given('messageId') && present(call.messageId)) ||
    (given('message_id') && present(call.message_id))
  );
}
