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

/** Bytes of a file's head that name it (see {@link fileIdentity}). */
export const FILE_ID_HEAD_BYTES = 64 * 1024;

/**
 * A short name for a file's content, to tell whether a file changed since
 * an interrupted import: the first 16 hex digits of the SHA-256 of its first
 * 64 KiB. A file that only grew at the end keeps it.
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

/**
 * A record's message id: `<format>-<line>-<digest>`, the digest being the
 * first 16 hex digits of the SHA-256 of `content` (a line's text, or the
 * JSON array of a CSV record's fields). The same row at the same line gets
 * the same id in any run, even after other rows were fixed or rows were
 * appended; identical rows on different lines stay distinct.
 */
export function recordMessageId(
  format: string,
  line: number,
  content: string | readonly string[],
): string {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${format}-${line}-${digest}`;
}
