import { describe, expect, it } from 'vitest';

import { IDENTIFIER_MAX_BYTES, normalizeEvent } from '../src/index.js';
import { OPTIONS, rejection } from './helpers.js';

const identify = (extra: Record<string, unknown>) => ({ type: 'identify', ...extra });

const identifiersOf = (input: Record<string, unknown>) =>
  normalizeEvent(input, OPTIONS).identifiers.map(({ type, value }) => `${type}=${value}`);

describe('normalizeEvent identifiers', () => {
  it.each([
    ['a userId', { userId: 'u1' }, ['user_id=u1']],
    ['an anonymousId', { anonymousId: 'a1' }, ['anonymous_id=a1']],
    ['both', { userId: 'u1', anonymousId: 'a1' }, ['user_id=u1', 'anonymous_id=a1']],
    [
      'an empty userId beside an anonymousId',
      { userId: '', anonymousId: 'a1' },
      ['anonymous_id=a1'],
    ],
    [
      'a null userId beside an anonymousId',
      { userId: null, anonymousId: 'a1' },
      ['anonymous_id=a1'],
    ],
    [
      'padded values',
      { userId: '  u1\t', anonymousId: '\n a1 ' },
      ['user_id=u1', 'anonymous_id=a1'],
    ],
    ['a numeric userId', { userId: 17850 }, ['user_id=17850']],
    ['a negative numeric userId', { userId: -7 }, ['user_id=-7']],
    ['NFD text, stored as NFC', { userId: 'Zoe\u0301' }, ['user_id=Zo\u00e9']],
    ['unicode under the limit, kept exactly', { userId: 'Zoë 😀 用户' }, ['user_id=Zoë 😀 用户']],
    [
      'a trait email',
      { userId: 'u1', traits: { email: ' Ann@Example.COM ' } },
      ['user_id=u1', 'email=ann@example.com'],
    ],
    [
      'a context trait email',
      { anonymousId: 'a1', context: { traits: { email: 'B@x.io' } } },
      ['anonymous_id=a1', 'email=b@x.io'],
    ],
    ['a non-string email, ignored', { userId: 'u1', traits: { email: 42 } }, ['user_id=u1']],
  ])('reads %s', (_label, extra, expected) => {
    expect(identifiersOf(identify(extra))).toEqual(expected);
  });

  it.each([
    ['no identifier at all', {}, 'userId'],
    ['only empty identifiers', { userId: '', anonymousId: '   ' }, 'userId'],
    ['only an email', { traits: { email: 'a@b.c' } }, 'userId'],
    ['1,000 two-byte characters', { userId: 'é'.repeat(1000) }, 'userId'],
    ['5,000 ASCII characters', { anonymousId: 'a'.repeat(5000) }, 'anonymousId'],
    ['one byte over the limit', { userId: 'x'.repeat(IDENTIFIER_MAX_BYTES + 1) }, 'userId'],
    ['a four-byte character crossing the limit', { userId: `${'x'.repeat(509)}😀` }, 'userId'],
    ['a boolean userId', { userId: true }, 'userId'],
    ['an object anonymousId', { anonymousId: { id: 1 } }, 'anonymousId'],
    ['a fractional userId', { userId: 1.5 }, 'userId'],
    ['a userId past 2^53', { userId: 2 ** 53 }, 'userId'],
    [
      'an email over the limit',
      { userId: 'u1', traits: { email: `${'e'.repeat(600)}@x.io` } },
      'traits.email',
    ],
  ])('rejects %s naming the field', (_label, extra, field) => {
    expect(rejection(() => normalizeEvent(identify(extra), OPTIONS)).field).toBe(field);
  });

  it('accepts exactly IDENTIFIER_MAX_BYTES and names the limit when over', () => {
    // 255 two-byte characters and two ASCII ones: 512 bytes.
    const atLimit = `${'é'.repeat(255)}ab`;
    expect(identifiersOf(identify({ userId: atLimit }))).toEqual([`user_id=${atLimit}`]);
    const error = rejection(() => normalizeEvent(identify({ userId: `${atLimit}c` }), OPTIONS));
    expect(error.reason).toContain('512');
  });

  it.each([
    ['without previousId', { userId: 'u1' }, 'previousId'],
    ['without userId', { previousId: 'a1', anonymousId: 'a1' }, 'userId'],
  ])('rejects an alias %s', (_label, extra, field) => {
    const call = () => normalizeEvent({ type: 'alias', ...extra }, OPTIONS);
    expect(rejection(call).field).toBe(field);
  });

  it('keeps previousId of an alias out of identifiers', () => {
    const event = normalizeEvent({ type: 'alias', userId: 'u1', previousId: ' a1 ' }, OPTIONS);
    expect(event.previousId).toBe('a1');
    expect(event.identifiers.map(({ type }) => type)).toEqual(['user_id']);
  });

  it('requires groupId for a group call', () => {
    const call = () => normalizeEvent({ type: 'group', userId: 'u1' }, OPTIONS);
    expect(rejection(call).field).toBe('groupId');
    const event = normalizeEvent({ type: 'group', userId: 'u1', groupId: 42 }, OPTIONS);
    expect(event.groupId).toBe('42');
  });
});

describe('contact and custom identifiers', () => {
  it.each([
    [
      'an international phone in traits',
      { traits: { phone: '+44 20 7946 0958' } },
      ['phone=+442079460958'],
    ],
    [
      'a phone in context.traits',
      { context: { traits: { phone: '+1 (415) 555-2671' } } },
      ['phone=+14155552671'],
    ],
    ['a national phone with no region configured', { traits: { phone: '020 7946 0958' } }, []],
    ['a phone that is not one', { traits: { phone: 'n/a' } }, []],
    ['an email that is not one', { traits: { email: 'none' } }, []],
    ['a unicode email', { traits: { email: ' José@Exämple.com ' } }, ['email=josé@exämple.com']],
    [
      'an email with a zero-width space',
      { traits: { email: 'ada\u200b@x.io' } },
      ['email=ada@x.io'],
    ],
    ['a device id', { context: { device: { id: 'IDFA-1' } } }, ['device_id=IDFA-1']],
    [
      'external ids of custom types',
      {
        context: {
          externalIds: [
            { id: ' L-1 ', type: 'Loyalty_ID' },
            { id: 42, type: 'crm' },
          ],
        },
      },
      ['loyalty_id=L-1', 'crm=42'],
    ],
  ])('links %s by its rule', (_label, extra, expected) => {
    expect(identifiersOf(identify({ userId: 'u1', ...extra })).slice(1)).toEqual(expected);
  });

  it('reads national numbers in the configured region', () => {
    const event = normalizeEvent(identify({ userId: 'u1', traits: { phone: '020 7946 0958' } }), {
      ...OPTIONS,
      phoneRegion: 'gb',
    });
    expect(event.identifiers.map((i) => i.value)).toEqual(['u1', '+442079460958']);
  });

  it.each([
    ['externalIds not an array', { externalIds: { id: 'x' } }, 'context.externalIds'],
    [
      'an external id without a type',
      { externalIds: [{ id: 'x' }] },
      'context.externalIds[0].type',
    ],
    [
      'a reserved type',
      { externalIds: [{ id: 'x', type: 'profile_id' }] },
      'context.externalIds[0].type',
    ],
    [
      'a second user id',
      { externalIds: [{ id: 'B', type: 'USER_ID' }] },
      'context.externalIds[0].type',
    ],
    [
      'an anonymous id',
      { externalIds: [{ id: 'a', type: 'anonymous_id' }] },
      'context.externalIds[0].type',
    ],
    [
      'an external email that is not one',
      { externalIds: [{ id: 'x', type: 'email' }] },
      'context.externalIds[0].id',
    ],
  ])('rejects %s naming the field', (_label, context, field) => {
    expect(
      rejection(() => normalizeEvent(identify({ userId: 'u1', context }), OPTIONS)).field,
    ).toBe(field);
  });
});
