import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * One record of an input file as it goes to the collector: `call` is the
 * Segment-spec call (or, for a line that is not JSON, its text, so the
 * collector rejects it to the DLQ like any other bad event).
 */
export interface ImportRecord {
  /** What is sent; usually a `SegmentCall`. */
  call: unknown;
  /** 1-based line where the record ends; undefined when the format has none. */
  line?: number;
  /** A problem the loader already saw, e.g. `line is not valid JSON`. */
  problem?: string;
}

/** Bytes of a file's head that name it in message ids. */
export const FILE_ID_HEAD_BYTES = 64 * 1024;

/**
 * A short, stable name for a file's content: the first 16 hex digits of the
 * SHA-256 of its first 64 KiB. The same export copied or renamed keeps it,
 * and a file that only grew at the end keeps it, so its rows keep their
 * message ids; two exports with different heads get different ids.
 */
export async function fileIdentity(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(FILE_ID_HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, FILE_ID_HEAD_BYTES, 0);
    const digest = createHash('sha256').update(head.subarray(0, bytesRead)).digest('hex');
    return digest.slice(0, 16);
  } finally {
    await handle.close();
  }
}

/** A record's message id: format, file identity and line, e.g. `rees46-1a2b…-42`. */
export function recordMessageId(format: string, fileId: string, line: number): string {
  return `${format}-${fileId}-${line}`;
}
