import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { AudienceTransitionSchema, TransitionReason } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { encodeTransition } from '../src/audience/encode-transition.js';
import type { Transition } from '../src/audience/update-audiences.js';

/** What protobuf-es writes for the same transition, by reflection. */
function reference(t: Transition): Uint8Array {
  return toBinary(
    AudienceTransitionSchema,
    create(AudienceTransitionSchema, {
      audienceId: t.audienceId,
      profileId: t.profileId,
      entered: t.entered,
      at: timestampFromMs(t.atMs),
      reason: t.reason,
      audienceVersion: t.version,
      causedAt: timestampFromMs(t.causedAtMs),
    }),
  );
}

const base: Transition = {
  audienceId: 'big_spenders_30d',
  profileId: 'p1a2',
  entered: true,
  atMs: 1_733_000_000_123,
  reason: TransitionReason.EVENT,
  version: 3,
  causedAtMs: 1_732_999_999_000,
};

/** A small seeded generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('encodeTransition', () => {
  const cases: [string, Transition][] = [
    ['an entry', base],
    [
      'an exit at the epoch with no reason or version',
      {
        ...base,
        entered: false,
        atMs: 0,
        causedAtMs: 0,
        reason: TransitionReason.UNSPECIFIED,
        version: 0,
      },
    ],
    ['empty ids', { ...base, audienceId: '', profileId: '' }],
    ['unicode ids', { ...base, audienceId: 'größe_🎁', profileId: 'p\u200d☃' }],
    ['times before 1970', { ...base, atMs: -1, causedAtMs: -86_400_001 }],
    ['whole seconds and far future', { ...base, atMs: 1_000, causedAtMs: 253_402_300_799_999 }],
    ['the largest version', { ...base, version: 4_294_967_295, reason: TransitionReason.DELETE }],
  ];
  it.each(cases)('writes what toBinary writes: %s', (_name, t) => {
    expect(Buffer.from(encodeTransition(t))).toEqual(Buffer.from(reference(t)));
  });

  it('writes what toBinary writes for 2,000 random transitions, and reads back', () => {
    const next = random(7);
    const text = () =>
      String.fromCodePoint(
        ...Array.from({ length: Math.floor(next() * 12) }, () =>
          next() < 0.8 ? 0x61 + Math.floor(next() * 26) : 0xa0 + Math.floor(next() * 0x1f000),
        ).filter((c) => c < 0xd800 || c > 0xdfff),
      );
    for (let i = 0; i < 2_000; i++) {
      const t: Transition = {
        audienceId: text(),
        profileId: text(),
        entered: next() < 0.5,
        atMs: Math.floor((next() - 0.1) * 4e12),
        reason: Math.floor(next() * 7) as TransitionReason,
        version: Math.floor(next() * 1_000),
        causedAtMs: Math.floor((next() - 0.1) * 4e12),
      };
      const bytes = encodeTransition(t);
      expect(Buffer.from(bytes)).toEqual(Buffer.from(reference(t)));
      const back = fromBinary(AudienceTransitionSchema, bytes);
      expect(back.audienceId).toBe(t.audienceId);
      expect(back.entered).toBe(t.entered);
      expect(back.audienceVersion).toBe(t.version);
    }
  });
});
