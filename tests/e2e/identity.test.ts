import { describe, expect, it } from 'vitest';
import type { Profile } from '@pulse/proto';
import { sendCalls, startStack, useStack } from '../harness/stack.js';
import { featureNumber, profileOf } from './helpers.js';

const HOUR_MS = 3_600_000;

/** An ISO time `offsetMs` after a base a few hours before now (7-day features count it). */
function at(offsetMs: number): string {
  return new Date(BASE_MS + offsetMs).toISOString();
}

const BASE_MS = Date.now() - 3 * HOUR_MS;

function identifierSet(profile: Profile): string[] {
  return profile.identifiers.map((i) => `${i.type}:${i.value}`).sort();
}

/** The identify, page, order, identify sequence of the first case, for user `u`. */
function signInCalls(u: string) {
  return [
    {
      type: 'identify',
      userId: u,
      anonymousId: `${u}-a1`,
      messageId: `${u}-m1`,
      timestamp: at(0),
      traits: { email: `${u}@example.com`, first_name: 'Ada', last_name: 'Lovelace' },
    },
    { type: 'page', anonymousId: `${u}-a2`, messageId: `${u}-m2`, timestamp: at(60_000) },
    {
      type: 'track',
      event: 'Order Completed',
      anonymousId: `${u}-a2`,
      messageId: `${u}-m3`,
      timestamp: at(120_000),
      properties: { order_id: `${u}-o1`, revenue: 15 },
    },
    {
      type: 'identify',
      userId: u,
      anonymousId: `${u}-a2`,
      messageId: `${u}-m4`,
      timestamp: at(180_000),
      traits: { plan: 'gold' },
    },
  ];
}

function expectSignedIn(profile: Profile, u: string): void {
  expect(identifierSet(profile)).toEqual(
    [
      `anonymous_id:${u}-a1`,
      `anonymous_id:${u}-a2`,
      `email:${u}@example.com`,
      `user_id:${u}`,
    ].sort(),
  );
  expect(profile.traits).toMatchObject({
    email: `${u}@example.com`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    plan: 'gold',
  });
  expect(featureNumber(profile, 'orders_lifetime')).toBe(1);
  expect(featureNumber(profile, 'spend_lifetime')).toBe(15);
}

describe('identity resolution', () => {
  const t = useStack();

  it('merges an anonymous profile into the signed-in one, across batches', async () => {
    const calls = signInCalls('u1');
    await sendCalls(t.stack.nc, calls.slice(0, 3));
    await t.stack.caughtUp();
    const anonymous = await profileOf(t.stack, 'anonymous_id', 'u1-a2');
    expect(featureNumber(anonymous!, 'orders_lifetime')).toBe(1);

    await sendCalls(t.stack.nc, calls.slice(3));
    await t.stack.caughtUp();
    const byUser = await profileOf(t.stack, 'user_id', 'u1');
    const byAnon = await profileOf(t.stack, 'anonymous_id', 'u1-a2');
    expect(byAnon!.profileId).toBe(byUser!.profileId);
    expect(byUser!.profileId).not.toBe(anonymous!.profileId);
    expectSignedIn(byUser!, 'u1');

    const byOldId = await profileOf(t.stack, 'profile_id', anonymous!.profileId);
    expect(byOldId!.profileId).toBe(byUser!.profileId);
  });

  it('merges the same way when all four calls arrive in one batch, once on re-send', async () => {
    const calls = signInCalls('u1s');
    await sendCalls(t.stack.nc, calls);
    await t.stack.caughtUp();
    expectSignedIn((await profileOf(t.stack, 'anonymous_id', 'u1s-a2'))!, 'u1s');

    const resend = await sendCalls(t.stack.nc, calls);
    expect(resend.duplicates).toBe(4);
    await t.stack.caughtUp();
    expectSignedIn((await profileOf(t.stack, 'user_id', 'u1s'))!, 'u1s');
  });

  it('keeps the later trait when an alias merges two profiles', async () => {
    await sendCalls(t.stack.nc, [
      {
        type: 'identify',
        userId: 'u2',
        messageId: 'c2-1',
        timestamp: at(0),
        traits: { city: 'Paris' },
      },
    ]);
    await sendCalls(t.stack.nc, [
      {
        type: 'identify',
        anonymousId: 'a2b',
        messageId: 'c2-2',
        timestamp: at(60_000),
        traits: { city: 'Lyon' },
      },
    ]);
    await sendCalls(t.stack.nc, [
      { type: 'alias', previousId: 'a2b', userId: 'u2', messageId: 'c2-3', timestamp: at(120_000) },
    ]);
    await t.stack.caughtUp();
    const byUser = await profileOf(t.stack, 'user_id', 'u2');
    const byAnon = await profileOf(t.stack, 'anonymous_id', 'a2b');
    expect(byAnon!.profileId).toBe(byUser!.profileId);
    expect(byUser!.traits).toMatchObject({ city: 'Lyon' });
  });

  it('gives a shared device to the last identified user instead of merging two users', async () => {
    await sendCalls(t.stack.nc, [
      { type: 'identify', userId: 'uA', anonymousId: 'dev1', messageId: 'c3-1', timestamp: at(0) },
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'uA',
        anonymousId: 'dev1',
        messageId: 'c3-2',
        timestamp: at(60_000),
        properties: { order_id: 'c3-o1', revenue: 20 },
      },
    ]);
    await t.stack.caughtUp();
    await sendCalls(t.stack.nc, [
      {
        type: 'identify',
        userId: 'uB',
        anonymousId: 'dev1',
        messageId: 'c3-3',
        timestamp: at(660_000),
      },
    ]);
    await sendCalls(t.stack.nc, [
      {
        type: 'track',
        event: 'Order Completed',
        anonymousId: 'dev1',
        messageId: 'c3-4',
        timestamp: at(720_000),
        properties: { order_id: 'c3-o2', revenue: 7 },
      },
    ]);
    await t.stack.caughtUp();

    const a = await profileOf(t.stack, 'user_id', 'uA');
    const b = await profileOf(t.stack, 'user_id', 'uB');
    expect(a!.profileId).not.toBe(b!.profileId);
    expect(identifierSet(a!)).toEqual(['user_id:uA']);
    expect(identifierSet(b!)).toEqual(['anonymous_id:dev1', 'user_id:uB']);
    expect(featureNumber(a!, 'spend_lifetime')).toBe(20);
    expect(featureNumber(b!, 'spend_lifetime')).toBe(7);
    expect(featureNumber(b!, 'orders_lifetime')).toBe(1);
  });

  it('counts three merges and one conflict, and keeps them through a restart', async () => {
    const metric = async (name: string) => {
      const url = `http://127.0.0.1:${t.stack.engine.opsPort}/metrics`;
      const text = await (await fetch(url)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    expect(await metric('pulse_identity_merges_total')).toBe(3);
    expect(await metric('pulse_identity_conflicts_total')).toBe(1);

    const before = await profileOf(t.stack, 'user_id', 'u1');
    await t.stack.stop();
    t.stack = await startStack(t.env);
    await t.stack.caughtUp();
    const after = await profileOf(t.stack, 'anonymous_id', 'u1-a2');
    expect(after!.profileId).toBe(before!.profileId);
    expectSignedIn(after!, 'u1');
    expect(await metric('pulse_identity_merges_total')).toBe(0);
  });
});
