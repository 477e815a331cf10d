import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { MESSAGE_ID_MAX_BYTES, normalizeEvent } from '../src/index.js';
import { OPTIONS, rejection } from './helpers.js';

const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'A',
  userId: 'u',
  ...extra,
});

const idOf = (input: unknown, source = 'web') =>
  normalizeEvent(input, { ...OPTIONS, source }).messageId;

describe('normalizeEvent message ids', () => {
  it.each([
    ['messageId', { messageId: 'm-1' }, 'm-1'],
    ['message_id', { message_id: 'm-2' }, 'm-2'],
    ['messageId over message_id', { messageId: 'm-1', message_id: 'm-2' }, 'm-1'],
    ['a padded id, trimmed', { messageId: ' m-3 ' }, 'm-3'],
    ['message_id when messageId is blank', { messageId: ' ', message_id: 'm-4' }, 'm-4'],
    ['an id at the limit', { messageId: 'm'.repeat(MESSAGE_ID_MAX_BYTES) }, 'm'.repeat(256)],
  ])('keeps the sender id from %s', (_label, extra, expected) => {
    expect(idOf(track(extra))).toBe(expected);
  });

  it.each([
    ['a number', { messageId: 42 }, 'messageId'],
    ['an object', { message_id: { id: 1 } }, 'message_id'],
    ['257 bytes', { messageId: 'm'.repeat(257) }, 'messageId'],
    ['129 two-byte characters', { messageId: 'é'.repeat(129) }, 'messageId'],
  ])('rejects a message id that is %s', (_label, extra, field) => {
    expect(rejection(() => normalizeEvent(track(extra), OPTIONS)).field).toBe(field);
  });

  it('derives the id from SHA-256 of the source and the key-sorted JSON', () => {
    // Canonical JSON of track(), keys sorted by hand.
    const canonical = '{"event":"A","type":"track","userId":"u"}';
    const expected = createHash('sha256').update(`"web"${canonical}`).digest('hex');
    expect(idOf(track())).toBe(`sha256:${expected}`);
  });

  it('gives a retried payload the same id, whatever its key order', () => {
    const retry = { userId: 'u', properties: { b: 2, a: 1 }, event: 'A', type: 'track' };
    expect(idOf(retry)).toBe(idOf(track({ properties: { a: 1, b: 2 } })));
  });

  it('gives different content or another source a different id', () => {
    const base = idOf(track());
    expect(idOf(track({ event: 'B' }))).not.toBe(base);
    expect(idOf(track({ properties: { list: [1, 2] } }))).not.toBe(
      idOf(track({ properties: { list: [2, 1] } })),
    );
    expect(idOf(track(), 'app')).not.toBe(base);
  });
});
