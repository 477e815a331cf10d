import { create, equals, toBinary } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { EventSchema, EventType } from '@pulse/proto';
import { describe, expect, it } from 'vitest';

import { normalizeEvent, timestampFromMs, timestampToMs, validateEvent } from '../src/index.js';
import { OPTIONS, RECEIVED_MS, rejection } from './helpers.js';

type EventInit = MessageInitShape<typeof EventSchema>;

const typedTrack = (extra: EventInit = {}) =>
  create(EventSchema, {
    type: EventType.TRACK,
    event: 'Signed Up',
    identifiers: [{ type: 'user_id', value: 'u1' }],
    ...extra,
  });

describe('validateEvent', () => {
  it('returns a normalized copy stamped by the collector', () => {
    const input = typedTrack({
      messageId: ' m-1 ',
      event: ' Signed Up ',
      timestamp: timestampFromMs(RECEIVED_MS - 1000),
      source: 'spoofed',
      profileId: 'p-claimed',
    });
    const before = toBinary(EventSchema, input);
    const event = validateEvent(input, OPTIONS);

    expect([event.messageId, event.event, event.source, event.profileId]).toEqual([
      'm-1',
      'Signed Up',
      'web',
      '',
    ]);
    expect(timestampToMs(event.timestamp!)).toBe(RECEIVED_MS - 1000);
    expect(timestampToMs(event.receivedAt!)).toBe(RECEIVED_MS);
    expect(toBinary(EventSchema, input)).toEqual(before);
  });

  it('normalizes identifiers: types lowercased, values trimmed, duplicates and blanks dropped', () => {
    const identifiers = [
      { type: ' User_ID ', value: ' u1 ' },
      { type: 'user_id', value: 'u1' },
      { type: 'anonymous_id', value: '  ' },
      { type: 'email', value: ' Ann@Example.com' },
      { type: 'device_id', value: 'Zoe\u0301' },
    ];
    const event = validateEvent(typedTrack({ identifiers }), OPTIONS);
    expect(event.identifiers.map(({ type, value }) => `${type}=${value}`)).toEqual([
      'user_id=u1',
      'email=ann@example.com',
      'device_id=Zo\u00e9',
    ]);
  });

  it.each([
    ['an unspecified type', { type: EventType.UNSPECIFIED }, 'type'],
    ['an unknown type', { type: 99 as EventType }, 'type'],
    ['an empty track name', { event: '  ' }, 'event'],
    ['no identifiers', { identifiers: [] }, 'identifiers'],
    ['only an email', { identifiers: [{ type: 'email', value: 'a@b.c' }] }, 'identifiers'],
    [
      'a blank identifier type',
      { identifiers: [{ type: ' ', value: 'x' }] },
      'identifiers[0].type',
    ],
    [
      'a 2,000-byte user id',
      { identifiers: [{ type: 'user_id', value: 'é'.repeat(1000) }] },
      'identifiers[0].value',
    ],
    ['a 257-byte message id', { messageId: 'm'.repeat(257) }, 'messageId'],
    [
      'a time 25 h ahead',
      { timestamp: timestampFromMs(RECEIVED_MS + 25 * 3_600_000) },
      'timestamp',
    ],
    ['negative nanos', { timestamp: { seconds: 1n, nanos: -1 } }, 'timestamp'],
    ['seconds past year 9999', { timestamp: { seconds: 253_402_300_800n } }, 'timestamp'],
    ['a NaN property', { properties: { n: NaN } }, 'properties.n'],
    ['an infinite revenue', { commerce: { revenue: Infinity } }, 'commerce.revenue'],
    [
      'a NaN product price',
      { commerce: { products: [{}, { price: NaN }] } },
      'commerce.products[1].price',
    ],
    ['an oversized event', { properties: { pad: 'x'.repeat(40 * 1024) } }, '$'],
  ])('rejects %s naming the field', (_label, extra, field) => {
    expect(rejection(() => validateEvent(typedTrack(extra), OPTIONS)).field).toBe(field);
  });

  it.each([
    ['without previousId', EventType.ALIAS, {}, 'previousId'],
    [
      'without user_id',
      EventType.ALIAS,
      { previousId: 'a1', identifiers: [{ type: 'anonymous_id', value: 'a1' }] },
      'identifiers',
    ],
    ['without groupId', EventType.GROUP, {}, 'groupId'],
  ])('rejects an alias or group %s', (_label, type, extra, field) => {
    expect(rejection(() => validateEvent(typedTrack({ type, ...extra }), OPTIONS)).field).toBe(
      field,
    );
  });

  it('uses the receipt time when the timestamp is missing', () => {
    const event = validateEvent(typedTrack(), OPTIONS);
    expect(timestampToMs(event.timestamp!)).toBe(RECEIVED_MS);
  });

  it('derives the same message id for a retry stamped differently', () => {
    const first = validateEvent(typedTrack(), OPTIONS);
    const retry = typedTrack({ receivedAt: timestampFromMs(5), profileId: 'p1', source: 'x' });
    const second = validateEvent(retry, { ...OPTIONS, receivedAtMs: RECEIVED_MS + 60_000 });

    expect(first.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second.messageId).toBe(first.messageId);
    expect(validateEvent(typedTrack({ event: 'Other' }), OPTIONS).messageId).not.toBe(
      first.messageId,
    );
  });

  it('leaves an event from normalizeEvent unchanged', () => {
    const call = {
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      traits: { email: 'a@b.c' },
      timestamp: '2024-05-01T10:00:00Z',
      properties: { revenue: 5, products: [{ id: 'p', price: 5, quantity: 1 }] },
      context: { ip: '203.0.113.7', page: { url: 'https://x', search: '?a' } },
    };
    const event = normalizeEvent(call, OPTIONS);
    expect(equals(EventSchema, validateEvent(event, OPTIONS), event)).toBe(true);
  });
});

describe('validateEvent limits shared with the JSON path', () => {
  const base = {
    type: EventType.TRACK,
    event: 'Order Completed',
    messageId: 'm',
    identifiers: [{ type: 'user_id', value: 'u' }],
  };

  it('rejects revenue beyond ±1e12 naming commerce.revenue', () => {
    const event = create(EventSchema, { ...base, commerce: { revenue: 1e308 } });
    expect(() => validateEvent(event, { source: 's', receivedAtMs: 0 })).toThrow(
      expect.objectContaining({ field: 'commerce.revenue' }),
    );
  });

  it('refuses profile_id as an identifier type, since lookups reserve it', () => {
    const identifiers = [{ type: 'Profile_ID', value: 'p1' }];
    const event = create(EventSchema, { ...base, identifiers });
    expect(() => validateEvent(event, { source: 's', receivedAtMs: 0 })).toThrow(
      expect.objectContaining({ field: 'identifiers[0].type' }),
    );
  });
});
