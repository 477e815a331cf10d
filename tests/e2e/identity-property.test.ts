import fc from 'fast-check';
import type { Profile } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { sendCalls, useStack } from '../harness/stack.js';
import { featureNumber, profileOf } from './helpers.js';
import { IdentityReference } from './identity-reference.js';
import type { ReferenceEvent, ReferenceProfile } from './identity-reference.js';

const USERS = 3;
const ANONYMOUS_IDS = 5;
const EMAILS = 2;
/**
 * Seeds are fixed so a failure replays; PULSE_PROPERTY_SEED and
 * PULSE_PROPERTY_RUNS explore other sequences.
 */
const SEED_IN_ORDER = Number(process.env.PULSE_PROPERTY_SEED ?? 20_261_203);
const SEED_SHUFFLED = Number(process.env.PULSE_PROPERTY_SEED ?? 31_415_926);
const RUNS = Number(process.env.PULSE_PROPERTY_RUNS ?? 60);
const MINUTE_MS = 60_000;
/** Events sit a few hours back, the n-th at BASE_MS + n minutes. */
const BASE_MS = Date.now() - 3 * 3_600_000;

/** One step of a generated sequence, over identifier indexes of the pool. */
type Step =
  | { kind: 'identify'; user?: number; anon?: number; email?: number }
  | { kind: 'alias'; user: number; anon?: number; previous: { anon: number } | { user: number } }
  | { kind: 'order'; user?: number; anon?: number; revenue: number };

/** The identifier values of one run: a prefix keeps runs on one stack apart. */
function pool(prefix: string) {
  return {
    user: (i: number) => `${prefix}-u${i}`,
    anon: (i: number) => `${prefix}-a${i}`,
    email: (i: number) => `${prefix}-e${i}@example.com`,
  };
}

/** A step as a Segment call at its event time, and as the reference sees it. */
function toEvent(step: Step, prefix: string, timeIndex: number) {
  const ids = pool(prefix);
  const common = {
    messageId: `${prefix}-m${timeIndex}`,
    timestamp: new Date(BASE_MS + timeIndex * MINUTE_MS).toISOString(),
  };
  const userId = 'user' in step && step.user !== undefined ? ids.user(step.user) : undefined;
  const anonymousId = 'anon' in step && step.anon !== undefined ? ids.anon(step.anon) : undefined;
  const identifiers: [string, string][] = [];
  if (userId) identifiers.push(['user_id', userId]);
  if (anonymousId) identifiers.push(['anonymous_id', anonymousId]);
  const reference: ReferenceEvent = { identifiers };

  if (step.kind === 'identify') {
    const email = step.email === undefined ? undefined : ids.email(step.email);
    if (email) identifiers.push(['email', email]);
    const traits = email ? { email } : {};
    return { call: { type: 'identify', userId, anonymousId, traits, ...common }, reference };
  }
  if (step.kind === 'alias') {
    const p = step.previous;
    const previousId = 'anon' in p ? ids.anon(p.anon) : ids.user(p.user);
    reference.previousId = previousId;
    return { call: { type: 'alias', userId, anonymousId, previousId, ...common }, reference };
  }
  reference.revenue = step.revenue;
  const properties = { order_id: common.messageId, revenue: step.revenue };
  const call = { type: 'track', event: 'Order Completed', userId, anonymousId, properties };
  return { call: { ...call, ...common }, reference };
}

// ---- generators

const userIndex = fc.nat({ max: USERS - 1 });
const anonIndex = fc.nat({ max: ANONYMOUS_IDS - 1 });
const emailIndex = fc.nat({ max: EMAILS - 1 });
const revenue = fc.integer({ min: 1, max: 100 });
const hasSomeone = (s: { user?: number; anon?: number }) =>
  s.user !== undefined || s.anon !== undefined;

/** Any step over the whole pool: users may share devices, emails and aliases. */
const anyStep: fc.Arbitrary<Step> = fc.oneof(
  fc
    .record({ user: userIndex, anon: anonIndex, email: emailIndex }, { requiredKeys: [] })
    .filter(hasSomeone)
    .map((s) => ({ kind: 'identify' as const, ...s })),
  fc
    .record({
      user: userIndex,
      anon: fc.option(anonIndex, { nil: undefined }),
      previous: fc.oneof(
        { weight: 4, arbitrary: fc.record({ anon: anonIndex }) },
        { weight: 1, arbitrary: fc.record({ user: userIndex }) },
      ),
    })
    .filter((s) => !('user' in s.previous) || s.previous.user !== s.user)
    .map((s) => ({ kind: 'alias' as const, ...s })),
  fc
    .record({ user: userIndex, anon: anonIndex, revenue }, { requiredKeys: ['revenue'] })
    .filter(hasSomeone)
    .map((s) => ({ kind: 'order' as const, ...s })),
);

/**
 * Steps of people who never share an identifier: each anonymous id and email
 * has one owner among USERS people plus one who never signs in (index USERS).
 */
const ownedSteps: fc.Arbitrary<Step[]> = fc
  .record({
    anonOwner: fc.array(fc.nat({ max: USERS }), {
      minLength: ANONYMOUS_IDS,
      maxLength: ANONYMOUS_IDS,
    }),
    emailOwner: fc.array(fc.nat({ max: USERS }), { minLength: EMAILS, maxLength: EMAILS }),
    raw: fc.array(
      fc.record({
        kind: fc.constantFrom('identify', 'alias', 'order'),
        person: fc.nat({ max: USERS }),
        pick: fc.nat(),
        withUser: fc.boolean(),
        withEmail: fc.boolean(),
        revenue,
      }),
      { minLength: 1, maxLength: 25 },
    ),
  })
  .map(({ anonOwner, emailOwner, raw }) =>
    raw.flatMap((r): Step[] => {
      const owned = (owners: number[]) =>
        owners.flatMap((owner, index) => (owner === r.person ? [index] : []));
      const anons = owned(anonOwner);
      const emails = owned(emailOwner);
      const anon = anons.length > 0 ? anons[r.pick % anons.length] : undefined;
      const email = emails.length > 0 && r.withEmail ? emails[r.pick % emails.length] : undefined;
      const signedUp = r.person < USERS;
      const user = signedUp && (r.withUser || anon === undefined) ? r.person : undefined;
      if (user === undefined && anon === undefined) return [];
      if (r.kind === 'alias') {
        return signedUp && anon !== undefined
          ? [{ kind: 'alias', user: r.person, previous: { anon } }]
          : [];
      }
      if (r.kind === 'identify') return [{ kind: 'identify', user, anon, email }];
      return [{ kind: 'order', user, anon, revenue: r.revenue }];
    }),
  )
  .filter((steps) => steps.length > 0);

/** Owned steps with an arrival order: `arrival[k]` is the event-time index sent k-th. */
const shuffledSteps = ownedSteps.chain((steps) =>
  fc
    .shuffledSubarray(
      steps.map((_, i) => i),
      { minLength: steps.length, maxLength: steps.length },
    )
    .map((arrival) => ({ steps, arrival })),
);

// ---- comparison

interface ProfileSummary {
  identifiers: string[];
  orders: number;
  spend: number;
}

function summarize(list: ProfileSummary[]): ProfileSummary[] {
  return list
    .map((p) => ({ ...p, identifiers: [...p.identifiers].sort() }))
    .sort((a, b) => (a.identifiers[0]! < b.identifiers[0]! ? -1 : 1));
}

function fromReference(profile: ReferenceProfile): ProfileSummary {
  const { orders, spend } = profile;
  return { identifiers: [...profile.identifiers], orders, spend };
}

function fromEngine(profile: Profile): ProfileSummary {
  return {
    identifiers: profile.identifiers.map((i) => `${i.type}:${i.value}`),
    orders: featureNumber(profile, 'orders_lifetime') ?? 0,
    spend: featureNumber(profile, 'spend_lifetime') ?? 0,
  };
}

describe('identity resolution against a brute-force reference', () => {
  const t = useStack();
  let runs = 0;

  async function conflictsTotal(): Promise<number> {
    const url = `http://127.0.0.1:${t.stack.engine.opsPort}/metrics`;
    const text = await (await fetch(url)).text();
    return Number(/^pulse_identity_conflicts_total (\S+)$/m.exec(text)?.[1] ?? 0);
  }

  /** Every profile an identifier of the run's pool names, read with GetProfile. */
  async function engineProfiles(prefix: string): Promise<ProfileSummary[]> {
    const ids = pool(prefix);
    const lookups: [string, string][] = [];
    for (let i = 0; i < USERS; i++) {
      lookups.push(['user_id', ids.user(i)], ['anonymous_id', ids.user(i)]);
    }
    for (let i = 0; i < ANONYMOUS_IDS; i++) lookups.push(['anonymous_id', ids.anon(i)]);
    for (let i = 0; i < EMAILS; i++) lookups.push(['email', ids.email(i)]);
    const found = new Map<string, Profile>();
    for (const [type, value] of lookups) {
      const profile = await profileOf(t.stack, type, value);
      if (profile) found.set(profile.profileId, profile);
    }
    return summarize([...found.values()].map(fromEngine));
  }

  /** Sends the steps in `arrival` order (event-time indexes), with the run's prefix. */
  async function send(prefix: string, steps: Step[], arrival: number[]): Promise<void> {
    const calls = arrival.map((i) => toEvent(steps[i]!, prefix, i).call);
    const report = await sendCalls(t.stack.nc, calls);
    expect(report.accepted, JSON.stringify(report.results)).toBe(steps.length);
    await t.stack.caughtUp();
  }

  /**
   * Sends the steps in `arrival` order and checks the engine against the
   * reference replayed in event-time order.
   */
  async function check(steps: Step[], arrival: number[]): Promise<void> {
    const prefix = `r${++runs}`;
    const reference = new IdentityReference();
    steps.forEach((step, i) => reference.apply(toEvent(step, prefix, i).reference));
    const conflictsBefore = await conflictsTotal();
    await send(prefix, steps, arrival);

    const expected = summarize(reference.profiles().map(fromReference));
    const actual = await engineProfiles(prefix);
    expect(actual).toEqual(expected);
    // Every order stays reachable through some identifier.
    const generated = steps.reduce((sum, s) => sum + (s.kind === 'order' ? s.revenue : 0), 0);
    expect(actual.reduce((sum, p) => sum + p.spend, 0)).toBe(generated);
    expect((await conflictsTotal()) - conflictsBefore).toBe(reference.conflicts);
  }

  it('keeps an anonymous profile reachable when a conflict takes its device', async () => {
    // Found by the property below: the anonymous profile of a1 lost its only
    // identifier to u1's profile, and its order with it.
    const steps: Step[] = [
      { kind: 'identify', user: 0, anon: 0 },
      { kind: 'order', anon: 1, revenue: 5 },
      { kind: 'alias', user: 1, anon: 1, previous: { anon: 0 } },
      { kind: 'order', anon: 0, revenue: 7 },
    ];
    const prefix = `r${++runs}`;
    await send(prefix, steps, [0, 1, 2, 3]);
    const read = async (type: string, value: string) =>
      summarize([fromEngine((await profileOf(t.stack, type, `${prefix}-${value}`))!)])[0];
    expect(await read('anonymous_id', 'a1')).toEqual({
      identifiers: [
        `anonymous_id:${prefix}-a0`,
        `anonymous_id:${prefix}-a1`,
        `user_id:${prefix}-u1`,
      ],
      orders: 2,
      spend: 12,
    });
    expect(await read('user_id', 'u0')).toEqual({
      identifiers: [`user_id:${prefix}-u0`],
      orders: 0,
      spend: 0,
    });
  });

  it('matches the reference when events arrive in event-time order', async () => {
    const sequences = fc.array(anyStep, { minLength: 1, maxLength: 25 });
    await fc.assert(
      fc.asyncProperty(sequences, (steps) =>
        check(
          steps,
          steps.map((_, i) => i),
        ),
      ),
      { seed: SEED_IN_ORDER, numRuns: RUNS },
    );
  });

  it('ends as in event-time order when arrival is shuffled and no limit is at stake', async () => {
    await fc.assert(
      fc.asyncProperty(shuffledSteps, ({ steps, arrival }) => check(steps, arrival)),
      { seed: SEED_SHUFFLED, numRuns: RUNS },
    );
  });
});
