import { EventType } from '@pulse/proto';
import { describe, expect, it } from 'vitest';

import { normalizeEvent, timestampToMs } from '../src/index.js';
import { OPTIONS, RECEIVED_MS, rejection } from './helpers.js';

const DAY_MS = 86_400_000;

const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Signed Up',
  userId: 'u1',
  ...extra,
});

describe('normalizeEvent', () => {
  it('builds the canonical event from a track call', () => {
    const input = track({ messageId: 'm-1', timestamp: '2024-05-01T11:00:00Z' });
    const event = normalizeEvent(input, OPTIONS);

    expect(event.messageId).toBe('m-1');
    expect(event.type).toBe(EventType.TRACK);
    expect(event.event).toBe('Signed Up');
    expect(timestampToMs(event.timestamp!)).toBe(RECEIVED_MS - 3_600_000);
    expect(timestampToMs(event.receivedAt!)).toBe(RECEIVED_MS);
    expect(event.source).toBe('web');
    expect(event.identifiers.map(({ type, value }) => [type, value])).toEqual([['user_id', 'u1']]);
  });

  it.each([
    ['track', EventType.TRACK],
    [' Track ', EventType.TRACK],
    ['IDENTIFY', EventType.IDENTIFY],
    ['page', EventType.PAGE],
    ['Screen', EventType.SCREEN],
    ['group', EventType.GROUP],
    ['alias', EventType.ALIAS],
  ])('accepts type %j', (type, expected) => {
    const input = { type, event: 'E', userId: 'u1', previousId: 'a1', groupId: 'g1' };
    expect(normalizeEvent(input, OPTIONS).type).toBe(expected);
  });

  it.each([
    ['null', null],
    ['a string', 'track'],
    ['an array', [track()]],
    ['a number', 42],
    ['an object without type', { event: 'E', userId: 'u1' }],
    ['an unknown type', track({ type: 'test' })],
    ['an empty type', track({ type: '  ' })],
    ['a numeric type', track({ type: 1 })],
  ])('rejects %s naming type', (_label, input) => {
    expect(rejection(() => normalizeEvent(input, OPTIONS)).field).toBe('type');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['a number', 42],
  ])('rejects a track call whose event is %s', (_label, name) => {
    expect(rejection(() => normalizeEvent(track({ event: name }), OPTIONS)).field).toBe('event');
  });

  it('trims the track name and keeps a page name', () => {
    expect(normalizeEvent(track({ event: '  Order Completed ' }), OPTIONS).event).toBe(
      'Order Completed',
    );
    const page = normalizeEvent({ type: 'page', name: ' Home ', anonymousId: 'a1' }, OPTIONS);
    expect([page.name, page.event]).toEqual(['Home', '']);
  });

  it('keeps traits, properties and context extras as JSON objects', () => {
    const traits = { plan: 'pro', seats: 3, tags: ['a', null, true] };
    const properties = { nested: { deep: [1, 2.5] } };
    const event = normalizeEvent(track({ traits, properties }), OPTIONS);
    expect(event.traits).toEqual(traits);
    expect(event.properties).toEqual(properties);
  });

  it('types known context fields and keeps the rest in extra', () => {
    const context = {
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      locale: 'en-GB',
      timezone: 'Europe/London',
      channel: 'browser',
      page: { url: 'https://shop.example/a', path: '/a', search: '?q=1' },
      campaign: { name: 'spring', source: 'news', medium: 'email' },
      library: { name: 'analytics.js' },
    };
    const ctx = normalizeEvent(track({ context }), OPTIONS).context!;

    expect([ctx.ip, ctx.userAgent, ctx.locale, ctx.timezone, ctx.channel]).toEqual([
      '203.0.113.7',
      'Mozilla/5.0',
      'en-GB',
      'Europe/London',
      'browser',
    ]);
    expect([ctx.page?.url, ctx.page?.path, ctx.campaign?.medium]).toEqual([
      'https://shop.example/a',
      '/a',
      'email',
    ]);
    expect(ctx.extra).toEqual({ page: { search: '?q=1' }, library: { name: 'analytics.js' } });
  });

  it.each([
    ['traits is not an object', { traits: 'pro' }, 'traits'],
    ['properties is an array', { properties: [1] }, 'properties'],
    ['context.ip is a number', { context: { ip: 42 } }, 'context.ip'],
    ['context.page is a string', { context: { page: '/a' } }, 'context.page'],
    [
      'context.campaign.name is an object',
      { context: { campaign: { name: {} } } },
      'context.campaign.name',
    ],
    ['a property is Infinity', { properties: { big: JSON.parse('1e400') } }, 'properties.big'],
    ['a trait is NaN', { traits: { n: NaN } }, 'traits.n'],
    ['a nested value is undefined', { properties: { a: [{ b: undefined }] } }, 'properties.a[0].b'],
    ['an odd key holds a function', { properties: { 'a b': () => 1 } }, 'properties["a b"]'],
  ])('rejects a call where %s', (_label, extra, field) => {
    expect(rejection(() => normalizeEvent(track(extra), OPTIONS)).field).toBe(field);
  });

  it('rejects nesting deeper than 32 levels naming the path', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 40; level += 1) deep = { a: deep };
    const error = rejection(() => normalizeEvent(track({ properties: deep }), OPTIONS));
    // properties is level 1, so the 32nd level is properties followed by 31 `.a`.
    expect(error.field).toBe(`properties${'.a'.repeat(31)}`);
  });

  it('sets receivedAt and source from the options, trimmed', () => {
    const event = normalizeEvent(track(), { source: ' shop ', receivedAtMs: 1_000.9 });
    expect([event.source, timestampToMs(event.receivedAt!)]).toEqual(['shop', 1_000]);
  });

  it.each([
    ['an empty source', { source: '', receivedAtMs: RECEIVED_MS }, TypeError],
    ['a NaN receipt time', { source: 'web', receivedAtMs: NaN }, TypeError],
    ['a negative skew', { ...OPTIONS, maxFutureSkewMs: -1 }, RangeError],
    ['an unknown zone', { ...OPTIONS, defaultZone: 'Nowhere/City' }, RangeError],
  ])('throws for caller options with %s', (_label, options, errorClass) => {
    expect(() => normalizeEvent(track(), options)).toThrow(errorClass);
  });
});

describe('normalizeEvent timestamps', () => {
  it.each([
    ['missing', undefined],
    ['null', null],
  ])('uses the receipt time when timestamp is %s', (_label, timestamp) => {
    const event = normalizeEvent(track({ timestamp }), OPTIONS);
    expect(timestampToMs(event.timestamp!)).toBe(RECEIVED_MS);
  });

  it.each([
    ['a word', 'safaff'],
    ['an empty string', ''],
    ['a boolean', true],
    ['more than 24 h ahead', RECEIVED_MS + DAY_MS + 1],
  ])('rejects a timestamp that is %s', (_label, timestamp) => {
    expect(rejection(() => normalizeEvent(track({ timestamp }), OPTIONS)).field).toBe('timestamp');
  });

  it('accepts exactly 24 h ahead and honours maxFutureSkewMs', () => {
    const timestamp = RECEIVED_MS + DAY_MS;
    expect(timestampToMs(normalizeEvent(track({ timestamp }), OPTIONS).timestamp!)).toBe(timestamp);
    const strict = { ...OPTIONS, maxFutureSkewMs: 1000 };
    const error = rejection(() => normalizeEvent(track({ timestamp: RECEIVED_MS + 1001 }), strict));
    expect(error.field).toBe('timestamp');
  });

  it('keeps events from long ago', () => {
    const event = normalizeEvent(track({ timestamp: '2010-12-01T08:26:00+00:00' }), OPTIONS);
    expect(timestampToMs(event.timestamp!)).toBe(1_291_191_960_000);
  });

  it('reads zone-less timestamps in defaultZone', () => {
    const options = { ...OPTIONS, defaultZone: 'Europe/London' };
    const event = normalizeEvent(track({ timestamp: '2024-05-01T12:00:00' }), options);
    expect(timestampToMs(event.timestamp!)).toBe(RECEIVED_MS - 3_600_000);
  });
});

describe('normalizeEvent traits', () => {
  it('takes context.traits when a track call has no top-level traits', () => {
    const event = normalizeEvent(
      { type: 'track', event: 'E', userId: 'u', context: { traits: { country: 'France' } } },
      { source: 's', receivedAtMs: 0 },
    );
    expect(event.traits).toEqual({ country: 'France' });
  });

  it('prefers top-level traits over context.traits', () => {
    const event = normalizeEvent(
      {
        type: 'identify',
        userId: 'u',
        traits: { plan: 'gold' },
        context: { traits: { plan: 'x' } },
      },
      { source: 's', receivedAtMs: 0 },
    );
    expect(event.traits).toEqual({ plan: 'gold' });
  });
});
