import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { BATCH_MAX_BYTES } from '@pulse/events';
import { badRequest } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** The refusal for a body past the request limit, compressed or not. */
export const TOO_LARGE_MESSAGE = `body exceeds the 500 KB limit (${BATCH_MAX_BYTES} bytes)`;

/** The Segment call types, each with its own endpoint. */
export const CALL_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;

/** One of {@link CALL_TYPES}. */
export type CallType = (typeof CALL_TYPES)[number];

/**
 * Decompresses (`Content-Encoding: gzip`) and parses a JSON body. Throws
 * {@link RequestRefusedError} (400) for bad gzip, a body past 500 KB once
 * inflated, or invalid JSON.
 */
export async function decodeJsonBody(raw: Buffer, encoding = 'identity'): Promise<unknown> {
  const bytes = await inflate(raw, encoding.trim().toLowerCase());
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw badRequest('body is not valid JSON', { cause: err });
  }
}

async function inflate(raw: Buffer, encoding: string): Promise<Buffer> {
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') {
    throw badRequest(`content encoding '${encoding}' is unsupported`);
  }
  try {
    // The cap stops a small compressed body from inflating without bound.
    return await gunzipAsync(raw, { maxOutputLength: BATCH_MAX_BYTES });
  } catch (err) {
    const tooLarge = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    const message = tooLarge ? TOO_LARGE_MESSAGE : 'body is not valid gzip';
    throw badRequest(message, { cause: err });
  }
}

/** The `writeKey` a body carries, as Segment accepts it besides Basic auth. */
export function bodyWriteKey(body: unknown): string | undefined {
  const key = isObject(body) ? body.writeKey : undefined;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * The calls of a body: the `batch` array for `/v1/batch`, else the one call,
 * whose `type` the endpoint supplies when the body has none.
 */
export function callsOf(body: unknown, endpointType?: CallType): unknown[] {
  if (!isObject(body)) throw badRequest('body must be a JSON object');
  if (endpointType) return [{ type: endpointType, ...withoutWriteKey(body) }];

  const calls = body.batch;
  if (!Array.isArray(calls)) throw badRequest("'batch' must be an array");
  if (calls.length === 0) throw badRequest("'batch' is empty");
  return calls;
}

/** A single call without the credential, so it never reaches the stream. */
function withoutWriteKey(call: JsonRecord): JsonRecord {
  const { writeKey: _writeKey, ...rest } = call;
  return rest;
}

type JsonRecord = Record<string, unknown>;

function isObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
