import { describe, expect, it } from 'vitest';
import {
  checkContactRules,
  createContactState,
  hasContactRules,
  isAllowed,
  mergeContactStates,
  pruneContactState,
  recordContact,
} from '@pulse/learning';
import type { ContactRules } from '@pulse/learning';
import { DAY_MS, explanation, harness, HOUR_MS, T0, verdicts } from './fixtures.js';

const TWO_A_DAY: ContactRules = { offers: { lantern: { maxImpressions: 2, windowMs: DAY_MS } } };
const WEEK_MS = 7 * DAY_MS;

describe('contact caps', () => {
  it('leaves a capped offer out of the third decision of the day and brings it back the next day', () => {
    const h = harness(undefined, TWO_A_DAY);
    const shown: string[] = [];
    for (const atMs of [T0 + 9 * HOUR_MS, T0 + 12 * HOUR_MS, T0 + 18 * HOUR_MS]) {
      const decision = h.decideAt(atMs);
      const chosen = decision.offers[0]!;
      shown.push(chosen.offerId);
      recordContact(h.contact, { kind: 'impression', offerId: chosen.offerId, atMs });
      if (shown.length === 3) {
        expect(verdicts(decision).lantern).toBe('capped');
        expect(explanation(decision, 'lantern')).toBe(
          "capped: 2 impressions of offer 'lantern' in the last 1d (at most 2)",
        );
      }
    }
    // lantern scores 30, then candles 20 takes its place.
    expect(shown).toEqual(['lantern', 'lantern', 'candles']);

    // 09:00 the next day: the 09:00 impression has left (t − 1d, t], the 12:00 one has not.
    const nextDay = h.decideAt(T0 + DAY_MS + 9 * HOUR_MS);
    expect(nextDay.offers[0]?.offerId).toBe('lantern');
  });

  it('counts impressions exactly in (t − window, t] and says when the cap lifts', () => {
    const state = createContactState();
    recordContact(state, { kind: 'impression', offerId: 'lantern', atMs: T0 + 12 * HOUR_MS });
    recordContact(state, { kind: 'impression', offerId: 'lantern', atMs: T0 + 9 * HOUR_MS });
    const lantern = { id: 'lantern' };
    expect(state.offers.lantern?.impressions).toEqual([T0 + 9 * HOUR_MS, T0 + 12 * HOUR_MS]);
    expect(isAllowed(state, lantern, T0 + 8 * HOUR_MS, TWO_A_DAY)).toEqual({ allowed: true });
    expect(isAllowed(state, lantern, T0 + 12 * HOUR_MS, TWO_A_DAY)).toMatchObject({
      allowed: false,
      reason: 'capped',
      untilMs: T0 + DAY_MS + 9 * HOUR_MS,
    });
    const lifted = T0 + DAY_MS + 9 * HOUR_MS;
    expect(isAllowed(state, lantern, lifted - 1, TWO_A_DAY).allowed).toBe(false);
    expect(isAllowed(state, lantern, lifted, TWO_A_DAY).allowed).toBe(true);
  });

  it('caps a group across its offers', () => {
    const rules: ContactRules = { groups: { seasonal: { maxImpressions: 1, windowMs: WEEK_MS } } };
    const state = createContactState();
    recordContact(state, { kind: 'impression', offerId: 'xmas', group: 'seasonal', atMs: T0 });
    expect(
      isAllowed(state, { id: 'candles', group: 'seasonal' }, T0 + DAY_MS, rules),
    ).toMatchObject({
      reason: 'capped',
      detail: "1 impression of group 'seasonal' in the last 7d (at most 1)",
    });
    expect(isAllowed(state, { id: 'lantern' }, T0 + DAY_MS, rules).allowed).toBe(true);
  });
});

describe('cool-downs', () => {
  const rules: ContactRules = { defaultOffer: { conversionCooldownMs: WEEK_MS } };

  it('removes a converted offer for 7 days by event time', () => {
    const h = harness(undefined, rules);
    const convertedAt = T0 + 10 * HOUR_MS;
    recordContact(h.contact, { kind: 'conversion', offerId: 'lantern', atMs: convertedAt });

    expect(h.decideAt(convertedAt - 1).offers[0]?.offerId).toBe('lantern');
    const during = h.decideAt(convertedAt + 3 * DAY_MS);
    expect(verdicts(during).lantern).toBe('cooling_down');
    expect(explanation(during, 'lantern')).toBe(
      "cooling down: conversion on offer 'lantern' at 2026-12-01T10:00:00.000Z, " +
        'cool-down of 7d until 2026-12-08T10:00:00.000Z',
    );
    expect(verdicts(h.decideAt(convertedAt + WEEK_MS - 1)).lantern).toBe('cooling_down');
    expect(h.decideAt(convertedAt + WEEK_MS).offers[0]?.offerId).toBe('lantern');
  });

  it('cools a whole group down after a dismissal of one of its offers', () => {
    const groupRules: ContactRules = { groups: { seasonal: { dismissalCooldownMs: DAY_MS } } };
    const state = createContactState();
    recordContact(state, { kind: 'dismissal', offerId: 'xmas', group: 'seasonal', atMs: T0 });
    const candles = { id: 'candles', group: 'seasonal' };
    expect(isAllowed(state, candles, T0 + HOUR_MS, groupRules)).toMatchObject({
      reason: 'cooling_down',
      untilMs: T0 + DAY_MS,
    });
    expect(isAllowed(state, candles, T0 + DAY_MS, groupRules).allowed).toBe(true);
  });
});

describe('contact state upkeep', () => {
  it('merges two histories so that every contact counts once', () => {
    const a = createContactState();
    const b = createContactState();
    recordContact(a, { kind: 'impression', offerId: 'lantern', atMs: T0 + 2 });
    recordContact(b, { kind: 'impression', offerId: 'lantern', atMs: T0 + 1 });
    recordContact(b, { kind: 'conversion', offerId: 'xmas', group: 'seasonal', atMs: T0 + 3 });
    mergeContactStates(a, b);
    expect(a.offers.lantern?.impressions).toEqual([T0 + 1, T0 + 2]);
    expect(a.groups.seasonal?.conversions).toEqual([T0 + 3]);
    expect(b.offers.lantern?.impressions).toEqual([T0 + 1]);
  });

  it('merges into a copy of the two records and leaves the original as it was', () => {
    const stored = createContactState();
    recordContact(stored, { kind: 'impression', offerId: 'lantern', group: 'gifts', atMs: T0 });
    const pending = createContactState();
    recordContact(pending, {
      kind: 'impression',
      offerId: 'lantern',
      group: 'gifts',
      atMs: T0 + 5,
    });
    const copy = { offers: { ...stored.offers }, groups: { ...stored.groups } };
    mergeContactStates(copy, pending);
    expect(copy.offers.lantern?.impressions).toEqual([T0, T0 + 5]);
    expect(copy.groups.gifts?.impressions).toEqual([T0, T0 + 5]);
    expect(stored.offers.lantern?.impressions).toEqual([T0]);
    expect(stored.groups.gifts?.impressions).toEqual([T0]);
  });

  it('prunes what no later check can see', () => {
    const state = createContactState();
    recordContact(state, { kind: 'impression', offerId: 'lantern', atMs: T0 });
    recordContact(state, { kind: 'impression', offerId: 'lantern', atMs: T0 + 12 * HOUR_MS });
    recordContact(state, { kind: 'impression', offerId: 'gift_wrap', atMs: T0 });
    pruneContactState(state, TWO_A_DAY, T0 + DAY_MS + HOUR_MS);
    expect(state).toEqual({
      offers: { lantern: { impressions: [T0 + 12 * HOUR_MS], conversions: [], dismissals: [] } },
      groups: {},
    });
  });
});

describe('checkContactRules', () => {
  it.each([
    [
      { offers: { lantern: { maxImpressions: 0, windowMs: DAY_MS } } },
      "'offers.lantern.maxImpressions'",
    ],
    [{ groups: { seasonal: { maxImpressions: 2 } } }, "'groups.seasonal.windowMs'"],
    [{ defaultOffer: { conversionCooldownMs: -1 } }, "'defaultOffer.conversionCooldownMs'"],
  ])('rejects %j naming the field', (rules, field) => {
    expect(() => checkContactRules(rules)).toThrow(RangeError);
    expect(() => checkContactRules(rules)).toThrow(field);
  });

  it('accepts the rules the tests use', () => {
    expect(checkContactRules(TWO_A_DAY)).toBe(TWO_A_DAY);
  });
});

describe('hasContactRules', () => {
  it.each<[string, ContactRules, boolean]>([
    ['no rules', {}, false],
    ['empty rule tables', { offers: {}, groups: {} }, false],
    ['an offer rule', TWO_A_DAY, true],
    ['a group rule', { groups: { g: { dismissalCooldownMs: DAY_MS } } }, true],
    ['a default for offers', { defaultOffer: { maxImpressions: 1, windowMs: DAY_MS } }, true],
    ['a default for groups', { defaultGroup: { conversionCooldownMs: DAY_MS } }, true],
  ])('says whether %s hold a rule', (_, rules, expected) => {
    expect(hasContactRules(rules)).toBe(expected);
  });

  it('reports no rule only where isAllowed allows everything', () => {
    const state = recordContact(createContactState(), {
      kind: 'impression',
      offerId: 'lantern',
      group: 'g',
      atMs: T0,
    });
    for (const rules of [{}, { offers: {} }]) {
      expect(isAllowed(state, { id: 'lantern', group: 'g' }, T0, rules)).toEqual({ allowed: true });
    }
    expect(
      isAllowed(state, { id: 'lantern', group: 'g' }, T0, {
        defaultGroup: { maxImpressions: 1, windowMs: DAY_MS },
      }),
    ).toMatchObject({ allowed: false, reason: 'capped' });
  });
});
