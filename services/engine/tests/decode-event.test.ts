import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { JsonObject, JsonValue, MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { DecisionLoggedSchema, EventSchema, EventType, OfferVerdict } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { decodeEvent, decodeEventFast } from '../src/ingest/decode-event.js';
import { expectSameAsFromBinary, field, text, varintField } from './decode-event-expect.js';
import { encodeDecisionEvent } from '../src/decision/encode-decision-event.js';

type EventInit = MessageInitShape<typeof EventSchema>;

const AT_MS = 1_764_700_000_123;

const LOGGED = {
  decisionId: 'd-1',
  profileId: 'p-é😀',
  placement: 'homepage',
  decidedAt: timestampFromMs(AT_MS - 5),
  consideredOfferIds: 'a\nb\nc',
  consideredVerdicts: [OfferVerdict.CHOSEN, OfferVerdict.OUTRANKED, OfferVerdict.HELD_OUT],
  consideredScores: [1.5, -0, 0.1 + 0.2],
  holdout: true,
  personalized: true,
  context: [1, 2.5],
  model: 'beta',
  explored: true,
  chosen: ['a'],
  chosenGroups: [''],
};

function decisionEvent(overrides: Record<string, unknown> = {}): EventInit {
  const init = {
    messageId: 'd-1',
    type: EventType.DECISION,
    timestamp: timestampFromMs(AT_MS),
    receivedAt: timestampFromMs(AT_MS + 1),
    source: 'pulse-decisions',
    decision: create(DecisionLoggedSchema, LOGGED),
    ...overrides,
  };
  return init as EventInit;
}

const bytesOf = (init: EventInit) => toBinary(EventSchema, create(EventSchema, init));

describe('decodeEvent on decision events', () => {
  it.each<[string, Uint8Array]>([
    ['a decision as Decide publishes it', bytesOf(decisionEvent())],
    [
      'a decision encoded by hand',
      encodeDecisionEvent(
        { messageId: 'm', source: 's', timestampMs: AT_MS, receivedAtMs: AT_MS },
        create(DecisionLoggedSchema, LOGGED),
      ),
    ],
    ['a decision with every field at its default', bytesOf({ type: EventType.DECISION })],
    ['a decision without a record', bytesOf(decisionEvent({ decision: undefined }))],
    ['a decision before 1970', bytesOf(decisionEvent({ timestamp: timestampFromMs(-1_001) }))],
    ['a decision with a property (not ours)', bytesOf(decisionEvent({ event: 'x' }))],
    ['a track event', bytesOf({ type: EventType.TRACK, event: 'Order Completed', source: 'web' })],
    ['an empty message', new Uint8Array()],
  ])('gives what fromBinary gives for %s', (_, data) => {
    expect(decodeEvent(data)).toStrictEqual(fromBinary(EventSchema, data));
  });

  it('reads a packed list split in parts as fromBinary does', () => {
    const score = (value: number) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value, true);
      return [(15 << 3) | 2, 8, ...bytes];
    };
    const body = [...score(1.25), ...score(-3)];
    const data = Uint8Array.from([2 << 3, EventType.DECISION, 0x8a, 0x01, body.length, ...body]);

    expect(decodeEvent(data).decision?.consideredScores).toEqual([1.25, -3]);
    expect(decodeEvent(data)).toStrictEqual(fromBinary(EventSchema, data));
  });

  it('keeps unknown fields as fromBinary does', () => {
    const whole = bytesOf(decisionEvent());
    // Field 99 (varint 1) after the record: kept as unknown by fromBinary.
    const withUnknown = Uint8Array.from([...whole, 0x98, 0x06, 0x01]);
    expect(decodeEvent(withUnknown)).toStrictEqual(fromBinary(EventSchema, withUnknown));
  });

  it('throws on truncated data, as fromBinary does', () => {
    const whole = bytesOf(decisionEvent());
    const truncated = whole.subarray(0, whole.length - 3);
    expect(() => fromBinary(EventSchema, truncated)).toThrow();
    expect(() => decodeEvent(truncated)).toThrow();
  });
});

type Json = JsonValue;

const bytesOfCustomer = (init: EventInit) => toBinary(EventSchema, create(EventSchema, init));

function nested(levels: number): JsonObject {
  let value: JsonObject = { leaf: 'x' };
  for (let i = 0; i < levels; i++) value = { [`l${i}`]: value, list: [i] };
  return value;
}

const FULL: EventInit = {
  messageId: 'm-1',
  type: EventType.TRACK,
  event: 'Order Completed',
  timestamp: { seconds: 1_764_700_000n, nanos: 123_456_789 },
  receivedAt: timestampFromMs(AT_MS),
  source: 'web',
  identifiers: [
    { type: 'user_id', value: 'u1' },
    { type: 'email', value: 'a@b.c' },
  ],
  profileId: 'p-1',
  properties: { revenue: 12.5, currency: 'GBP', tags: ['a', 1, true, null, { x: [] }, [[]]] },
  traits: { plan: 'pro', age: 42, vip: false, address: { city: 'Zürich', zip: null } },
  context: {
    ip: '10.0.0.1',
    userAgent: 'Mozilla/5.0',
    locale: 'de-CH',
    timezone: 'Europe/Zurich',
    channel: 'web',
    page: { url: 'https://x/y?z', path: '/y', referrer: 'https://r', title: 'Ÿ' },
    campaign: { name: 'n', source: 's', medium: 'm', term: 't', content: 'c' },
    extra: { library: { name: 'analytics.js', version: '5.2.0' } },
  },
  commerce: {
    orderId: 'o-1',
    revenue: 12.5,
    currency: 'GBP',
    discount: 1,
    shipping: 2,
    tax: 0.5,
    products: [
      { productId: '85123A', sku: 's', name: 'HEART', category: 'DECOR', brand: 'b', price: 2.55 },
      { productId: '71053', quantity: -6, coupon: 'X' },
    ],
  },
};

const ODD_NUMBERS: Record<string, Json> = {
  nan: NaN,
  inf: Infinity,
  negInf: -Infinity,
  negZero: -0,
  max: Number.MAX_VALUE,
  tiny: 5e-324,
  unsafe: 2 ** 53 + 2,
  negative: -1e300,
};

describe('decodeEvent on customer events', () => {
  it.each<[string, EventInit]>([
    ['a track event with every field set', FULL],
    ['an identify event', { type: EventType.IDENTIFY, traits: { email: 'a@b.c' } }],
    ['a page event', { type: EventType.PAGE, name: 'Home', context: { page: { path: '/' } } }],
    ['a screen event', { type: EventType.SCREEN, name: 'Cart' }],
    ['a group event', { type: EventType.GROUP, groupId: 'g-1', traits: { seats: 5 } }],
    ['an alias event', { type: EventType.ALIAS, previousId: 'anon-1' }],
    ['an event type this build does not know', { type: 77 as EventType }],
    ['text beyond ASCII', { event: 'é 日本 😀 \u{10ffff}', properties: { '😀': '\u{1f600}' } }],
    ['empty structs and lists', { traits: {}, properties: { empty: [], obj: {} } }],
    ['null values', { properties: { a: null, b: [null, null] } }],
    ['odd numbers in a struct', { properties: ODD_NUMBERS }],
    ['odd numbers in commerce', { commerce: { revenue: NaN, tax: -Infinity, discount: -0 } }],
    ['a struct nested 20 deep', { properties: nested(20) }],
    ['a struct nested 40 deep (left to fromBinary)', { properties: nested(40) }],
    ['a struct nested past the recursion limit', { properties: nested(60) }],
    ['a time before 1970', { timestamp: timestampFromMs(-1_001) }],
    ['a time past 2038', { timestamp: { seconds: 2n ** 31n + 5n, nanos: 999_999_999 } }],
    ['a time in year 9999', { timestamp: { seconds: 253_402_300_799n } }],
    ['a time in year 1', { timestamp: { seconds: -62_135_596_800n, nanos: 1 } }],
    ['seconds beyond 2^53', { timestamp: { seconds: 2n ** 60n } }],
    ['negative nanos (left to fromBinary)', { timestamp: { seconds: 1n, nanos: -1 } }],
    ['a deletion (left to fromBinary)', { type: EventType.DELETE, deletion: { suppress: true } }],
    ['a merged state (left to fromBinary)', { mergedState: { absorbedId: 'a' } }],
  ])('gives what fromBinary gives for %s', (_, init) => {
    expectSameAsFromBinary(bytesOfCustomer(init));
  });

  it('leaves unset message fields absent', () => {
    const event = expectSameAsFromBinary(bytesOfCustomer({ type: EventType.TRACK, event: 'x' }))!;
    for (const key of ['timestamp', 'receivedAt', 'traits', 'properties', 'context', 'commerce']) {
      expect(key in event).toBe(false);
    }
    const context = expectSameAsFromBinary(bytesOfCustomer({ context: { ip: '1' } }))!.context!;
    expect(['page', 'campaign', 'extra'].some((key) => key in context)).toBe(false);
  });

  it('reads every customer field on the fast path', () => {
    const event = decodeEventFast(bytesOfCustomer(FULL));
    expect(event).toStrictEqual(fromBinary(EventSchema, bytesOfCustomer(FULL)));
    expect(event?.commerce?.$typeName).toBe('pulse.v1.Commerce');
    expect(event?.context?.page?.$typeName).toBe('pulse.v1.PageContext');
    expect(event?.identifiers[0]?.$typeName).toBe('pulse.v1.Identifier');
  });

  it('merges message fields that come twice, as fromBinary does', () => {
    const first = bytesOfCustomer({
      ...FULL,
      traits: { a: 1, b: { c: 2 } },
      timestamp: { seconds: 5n, nanos: 7 },
    });
    const second = bytesOfCustomer({
      traits: { b: 'replaced', d: null },
      timestamp: { seconds: 9n },
      context: { ip: '10.0.0.2', page: { title: 'T' }, extra: { more: true } },
      commerce: { orderId: 'o-2', products: [{ productId: 'p3' }] },
    });
    const data = Uint8Array.from([...first, ...second]);
    expect(decodeEventFast(data)).toBeDefined();
    expectSameAsFromBinary(data);
  });

  it.each<[string, number[]]>([
    ['a Value with no kind', field(12, field(1, [...field(1, text('k')), ...field(2, [])]))],
    ['a map entry with no value', field(12, field(1, field(1, text('k'))))],
    ['a map entry with no key', field(12, field(1, field(2, varintField(4, 1))))],
    [
      'a duplicate key (last wins)',
      field(12, [
        ...field(1, [...field(1, text('k')), ...field(2, field(3, text('one')))]),
        ...field(1, [...field(1, text('k')), ...field(2, varintField(4, 0))]),
      ]),
    ],
    [
      'a Value with two kinds',
      field(12, field(1, field(2, [...varintField(1, 0), ...varintField(4, 1)]))),
    ],
    [
      'a __proto__ key',
      field(12, field(1, [...field(1, text('__proto__')), ...field(2, field(5, []))])),
    ],
    ['a boolean of 2', field(12, field(1, field(2, varintField(4, 2))))],
    ['a null_value of 3', field(12, field(1, field(2, varintField(1, 3))))],
    ['an explicit empty string after a value', [...field(3, text('a')), ...field(3, [])]],
    ['invalid UTF-8 in a string', field(3, [0x61, 0xff, 0x62])],
    ['a lone surrogate in a string', field(3, [0xed, 0xa0, 0x80])],
    ['invalid UTF-8 in a struct key', field(11, field(1, field(1, [0xc3, 0x28])))],
    ['an overlong encoding', field(3, [0xc0, 0xaf])],
    ['an unknown field in a product', field(14, field(7, varintField(99, 1)))],
    ['the type as a string', field(2, text('x'))],
    ['an unknown field in a page', field(13, field(6, field(5, text('x'))))],
    ['a page url as a varint', field(13, field(6, varintField(1, 7)))],
    ['a campaign field 0', field(13, field(7, [0x02, 0x00]))],
    [
      'a campaign content then an unknown field',
      field(13, field(7, [...field(5, text('c')), ...field(6, text('x'))])),
    ],
    ['a type of -1', [0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['a price as a varint', field(14, field(7, varintField(6, 3)))],
    ['a nested length past its parent', [...field(13, [0x0a, 0x05, 0x61]), 0x61, 0x61, 0x61]],
    ['a tag of field 0', [0x02, 0x00]],
  ])('gives what fromBinary gives for %s', (_, bytes) => {
    expectSameAsFromBinary(Uint8Array.from(bytes));
  });
});
