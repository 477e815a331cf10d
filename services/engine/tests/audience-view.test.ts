import { resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { applyEvent } from '@pulse/features';
import { EventSchema, EventType } from '@pulse/proto';
import { emptyProfile } from '@pulse/store';
import type { ProfileRecord } from '@pulse/store';
import { describe, expect, it } from 'vitest';
import { loadDefinitions, withAudiences } from '../src/definitions.js';
import type { Definitions } from '../src/definitions.js';
import { audienceView, profileView } from '../src/profile/profile-view.js';

const RETAIL = resolve(import.meta.dirname, '../../../deploy/definitions/retail');
const DAY_MS = 86_400_000;
const T0 = Date.parse('2011-01-01T00:00:00Z');
const CATEGORIES = ['LANTERN', 'HOLDER', 'BAG', 'MUG'];

/** Rules that read the whole of a map, scalars, nested and missing keys, or fail. */
const TRICKY_AUDIENCES = [
  "'plan' in traits",
  "traits.exists(k, k == 'vip')",
  "has(traits.plan) && traits.plan == 'gold'",
  "has(traits.address.city) && traits.address.city == 'Leeds'",
  "traits.missing == 'x'",
  "traits['__proto__'] == 'odd'",
  'size(identifiers.email) > 0 && identifiers.email[0] != profile_id',
  'size(features.recent_products) >= 2',
  'features.spend_lifetime > 100.0 || features.last_seen != null && now - features.last_seen < days(3)',
  '[1.0].exists(features, features > 0.0) && features.orders_7d >= 1.0',
];

/** A tiny seeded generator, so a failure names a case that can be rerun. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function withTricky(defs: Definitions): Definitions {
  const retail = defs.audiences.ids.map((id) => {
    const { name, expression } = defs.audiences.get(id)!;
    return { id, name, expression };
  });
  const extra = TRICKY_AUDIENCES.map((expression, i) => ({ id: `t${i}`, name: 't', expression }));
  return withAudiences(defs, [...retail, ...extra]);
}

function randomProfile(next: () => number, defs: Definitions, i: number): ProfileRecord {
  const profile = emptyProfile(`p${i}`, T0);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  // One in ten is a heavy buyer, so that affinity and distinct-count rules hold too.
  const heavy = i % 10 === 0;
  for (let e = heavy ? 60 : Math.floor(next() * 12); e > 0; e -= 1) {
    const products = Array.from({ length: 1 + Math.floor(next() * (heavy ? 8 : 4)) }, () => ({
      productId: `sku${Math.floor(next() * 30)}`,
      category: pick(CATEGORIES),
      price: 1 + next() * 50,
      quantity: 1 + Math.floor(next() * 12),
    }));
    const event = create(EventSchema, {
      messageId: `m${i}-${e}`,
      type: EventType.TRACK,
      event: next() < 0.85 ? 'Order Completed' : 'Order Refunded',
      timestamp: timestampFromMs(T0 + Math.floor(next() * 60 * DAY_MS)),
      commerce: { revenue: next() * 900, products },
    });
    applyEvent(profile.features as never, defs.features, event);
  }
  const traits: JsonObject = {};
  if (next() < 0.7) traits['country'] = pick(['United Kingdom', 'France', 'EIRE']);
  if (next() < 0.3) traits['plan'] = pick(['gold', 'free']);
  if (next() < 0.2) traits['vip'] = true;
  if (next() < 0.2) traits['address'] = { city: pick(['Leeds', 'York']) };
  if (next() < 0.1) Object.defineProperty(traits, '__proto__', { value: 'odd', enumerable: true });
  profile.traits = traits;
  profile.identifiers = [['user_id', `u${i}`]];
  if (next() < 0.4) profile.identifiers.push(['email', `u${i}@example.com`]);
  return profile;
}

describe('audienceView', () => {
  it('puts every profile in the same audiences as the full view, with the same errors', () => {
    const defs = withTricky(loadDefinitions(RETAIL));
    const next = random(7);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i += 1) {
      const profile = randomProfile(next, defs, i);
      // Time passes between reads: windows slide, new customers stop being new.
      for (const nowMs of [T0 + 30 * DAY_MS, T0 + 61 * DAY_MS, T0 + 200 * DAY_MS]) {
        const fullErrors: string[] = [];
        const partErrors: string[] = [];
        const full = defs.audiences.evaluate(profileView(profile, defs, nowMs), {
          onError: (id) => fullErrors.push(id),
        });
        const part = defs.audiences.evaluate(audienceView(profile, defs, nowMs), {
          onError: (id) => partErrors.push(id),
        });
        expect(part, `${profile.id} at ${nowMs}`).toEqual(full);
        expect(partErrors).toEqual(fullErrors);
        for (const id of full) seen.add(id);
      }
    }
    // The comparison means something: all but the always-failing rule had members.
    expect([...seen].sort()).toEqual(defs.audiences.ids.filter((id) => id !== 't4'));
  });

  it('reads only the features the audiences name, and all after a reload that needs them', () => {
    const defs = loadDefinitions(RETAIL);
    const profile = randomProfile(random(3), defs, 1);
    const narrow = audienceView(profile, defs, T0);
    expect(Object.keys(narrow.features)).not.toContain('recent_products');
    expect(narrow.identifiers).toEqual({});

    const reloaded = withAudiences(defs, [
      { id: 'a', name: 'a', expression: 'size(features) > 1' },
    ]);
    const wide = audienceView(profile, reloaded, T0);
    expect(wide.features).toEqual(profileView(profile, reloaded, T0).features);
  });
});
