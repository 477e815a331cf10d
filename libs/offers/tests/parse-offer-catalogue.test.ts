import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAudienceDefinitions } from '@pulse/audiences';
import { parseOfferCatalogue, UnknownAudienceReferenceError } from '@pulse/offers';
import { DefinitionError, RuleError } from '@pulse/rules';
import { CATALOGUE } from './fixtures.js';

const AUDIENCE_IDS = ['big_spenders_30d', 'high_value_order', 'frequent_refunders', 'lapsed'];

const ok = { id: 'gift_wrap', name: 'Gift wrap', placements: ['homepage'], value: 1 };

function parseError(offer: Record<string, unknown>): Error {
  try {
    parseOfferCatalogue({ offers: [ok, offer] }, { audienceIds: AUDIENCE_IDS });
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the catalogue to be rejected');
}

describe('parseOfferCatalogue', () => {
  it.each([
    ['a bad id', { ...ok, id: 'Gift' }, DefinitionError, 'offers[1].id'],
    ['a duplicate id', ok, DefinitionError, 'offers[1].id'],
    ['a missing name', { ...ok, id: 'b', name: undefined }, DefinitionError, 'offers[1].name'],
    ['no placements', { ...ok, id: 'b', placements: [] }, DefinitionError, 'offers[1].placements'],
    [
      'a bad placement',
      { ...ok, id: 'b', placements: ['home', 'Cart'] },
      DefinitionError,
      'offers[1].placements[1]',
    ],
    ['a zero priority', { ...ok, id: 'b', priority: 0 }, DefinitionError, 'offers[1].priority'],
    ['a negative value', { ...ok, id: 'b', value: -1 }, DefinitionError, 'offers[1].value'],
    ['a missing value', { ...ok, id: 'b', value: undefined }, DefinitionError, 'offers[1].value'],
    [
      'a start without offset',
      { ...ok, id: 'b', start: '2011-12-01T00:00:00' },
      DefinitionError,
      'offers[1].start',
    ],
    ['a date-only end', { ...ok, id: 'b', end: '2011-12-24' }, DefinitionError, 'offers[1].end'],
    [
      'an end before start',
      { ...ok, id: 'b', start: '2011-12-02T00:00:00Z', end: '2011-12-02T01:00:00+02:00' },
      DefinitionError,
      'offers[1].end',
    ],
    ['an unknown field', { ...ok, id: 'b', weight: 2 }, DefinitionError, 'offers[1].weight'],
    [
      'an unknown audience field',
      { ...ok, id: 'b', audiences: { only: ['lapsed'] } },
      DefinitionError,
      'offers[1].audiences.only',
    ],
    [
      'content that is not an object',
      { ...ok, id: 'b', content: 'hello' },
      DefinitionError,
      'offers[1].content',
    ],
    [
      'an unknown included audience',
      { ...ok, id: 'b', audiences: { include: ['lapsed', 'vip'] } },
      UnknownAudienceReferenceError,
      'offers[1].audiences.include[1]',
    ],
    [
      'an unknown excluded audience',
      { ...ok, id: 'b', audiences: { exclude: ['vip'] } },
      UnknownAudienceReferenceError,
      'offers[1].audiences.exclude[0]',
    ],
    [
      'an audience both included and excluded',
      { ...ok, id: 'b', audiences: { include: ['lapsed'], exclude: ['lapsed'] } },
      DefinitionError,
      'offers[1].audiences.exclude[0]',
    ],
    [
      'an eligibility syntax error',
      { ...ok, id: 'b', eligibility: 'features.spend_30d >=' },
      RuleError,
      'offers[1].eligibility',
    ],
    [
      'a non-bool eligibility',
      { ...ok, id: 'b', eligibility: '1.0' },
      RuleError,
      'offers[1].eligibility',
    ],
    [
      'a bool boost',
      { ...ok, id: 'b', boost: 'features.spend_30d > 1.0' },
      RuleError,
      'offers[1].boost',
    ],
    [
      'a boost with an unknown variable',
      { ...ok, id: 'b', boost: 'affinity / 100.0' },
      RuleError,
      'offers[1].boost',
    ],
  ])('rejects %s', (_case, offer, errorClass, field) => {
    const err = parseError(offer);

    expect(err).toBeInstanceOf(errorClass);
    expect((err as DefinitionError | RuleError).field).toBe(field);
  });

  it('carries the unknown audience id', () => {
    const err = parseError({ ...ok, id: 'b', audiences: { include: ['vip'] } });

    expect(err).toMatchObject({ audienceId: 'vip' });
  });

  it('skips the audience check without audience ids', () => {
    const catalogue = parseOfferCatalogue({ offers: [{ ...ok, audiences: { include: ['vip'] } }] });

    expect(catalogue.get('gift_wrap')?.include).toEqual(['vip']);
  });

  it('applies defaults and turns the schedule into epoch ms', () => {
    const offer = { ...ok, start: '2011-12-01T01:00:00+01:00', end: '2011-12-24T00:00:00Z' };

    const parsed = parseOfferCatalogue({ offers: [offer] }).get('gift_wrap');

    expect(parsed).toMatchObject({ priority: 1, content: {}, include: [], exclude: [] });
    expect(parsed?.startMs).toBe(Date.UTC(2011, 11, 1));
    expect(parsed?.endMs).toBe(Date.UTC(2011, 11, 24));
  });

  it('lists offers per placement, sorted by id', () => {
    const catalogue = parseOfferCatalogue(CATALOGUE, { audienceIds: AUDIENCE_IDS });

    expect(catalogue.placements).toEqual(['cart', 'email', 'homepage']);
    expect(catalogue.forPlacement('cart').map((o) => o.id)).toEqual(['gift_wrap', 'shipping']);
    expect(catalogue.forPlacement('checkout')).toEqual([]);
  });

  it('lists the audiences the offers of each placement include or exclude', () => {
    const offers = [
      { ...ok, id: 'a', audiences: { include: ['lapsed', 'big_spenders_30d'] } },
      { ...ok, id: 'b', audiences: { exclude: ['lapsed'] }, placements: ['homepage', 'cart'] },
      { ...ok, id: 'c', placements: ['email'] },
    ];

    const catalogue = parseOfferCatalogue({ offers }, { audienceIds: AUDIENCE_IDS });

    expect(catalogue.audiencesOf('homepage')).toEqual(['big_spenders_30d', 'lapsed']);
    expect(catalogue.audiencesOf('cart')).toEqual(['lapsed']);
    expect(catalogue.audiencesOf('email')).toEqual([]);
    expect(catalogue.audiencesOf('checkout')).toEqual([]);
  });

  it('freezes offer content', () => {
    const catalogue = parseOfferCatalogue(CATALOGUE);

    expect(Object.isFrozen(catalogue.get('shipping')?.content)).toBe(true);
  });

  it('parses the retail example against the retail audiences', () => {
    const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
    const audiences = parseAudienceDefinitions(
      read('../../../deploy/definitions/retail/audiences.yaml'),
    );

    const catalogue = parseOfferCatalogue(read('../../../deploy/definitions/retail/offers.yaml'), {
      audienceIds: audiences.ids,
    });

    expect(catalogue.size).toBe(9);
    expect(catalogue.forPlacement('checkout').map((o) => o.id)).toEqual([
      'free_shipping',
      'gift_wrap',
      'international_flat_rate',
    ]);
  });
});
