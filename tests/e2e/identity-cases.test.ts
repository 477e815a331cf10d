import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { jetstream } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  AudienceTransitionSchema,
  EventType,
  ProfileDeletedSchema,
  TransitionReason,
} from '@pulse/proto';
import type { Profile } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, waitFor } from '../harness/index.js';
import { sendCalls, useStack } from '../harness/stack.js';
import { featureNumber, profileOf } from './helpers.js';

const run = promisify(execFile);
const DEFINITIONS = join(REPO_ROOT, 'tests/e2e/fixtures/identity-shop');
const SECOND_MS = 1_000;
const DAY_MS = 86_400_000;
/** A base a few hours back, so 7-day windows read at now still count it. */
const T = Date.now() - 3 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function identifierSet(profile: Profile): string[] {
  return profile.identifiers.map((i) => `${i.type}:${i.value}`).sort();
}

function strings(profile: Profile, featureId: string): string[] | undefined {
  const value = profile.features.find((f) => f.featureId === featureId)?.value;
  return value?.case === 'strings' ? value.value.values : undefined;
}

function viewed(anon: { userId?: string; anonymousId?: string }, product: string, ms: number) {
  return {
    type: 'track',
    event: 'Product Viewed',
    ...anon,
    messageId: `view-${anon.userId ?? anon.anonymousId}-${product}-${ms}`,
    timestamp: iso(ms),
    properties: { product_id: product },
  };
}

describe('identity cases (tests/e2e/fixtures/identity-shop)', () => {
  const t = useStack({ PULSE_DEFINITIONS_DIR: DEFINITIONS });

  async function metric(name: string, labels = ''): Promise<number> {
    const url = `http://127.0.0.1:${t.stack.engine.opsPort}/metrics`;
    const text = await (await fetch(url)).text();
    const escaped = `${name}${labels}`.replace(/[{}"]/g, (c) => `\\${c}`);
    return Number(new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  }

  /** Sends each call as its own request, in order, and waits until all are applied. */
  async function sendInOrder(calls: unknown[]): Promise<void> {
    for (const call of calls) {
      const report = await sendCalls(t.stack.nc, [call]);
      expect(report.accepted).toBe(1);
    }
    await t.stack.caughtUp();
  }

  it('ends as if in event-time order when identify arrives after the tracks it explains', async () => {
    await sendInOrder([
      viewed({ userId: 'u7' }, 'p1', T + SECOND_MS),
      {
        type: 'identify',
        userId: 'u7',
        anonymousId: 'a7',
        messageId: 'id-u7',
        timestamp: iso(T),
        traits: { tier: 'vip' },
      },
      viewed({ anonymousId: 'a7' }, 'p2', T - 5 * SECOND_MS),
    ]);
    const profile = (await profileOf(t.stack, 'anonymous_id', 'a7'))!;
    expect((await profileOf(t.stack, 'user_id', 'u7'))!.profileId).toBe(profile.profileId);
    expect(identifierSet(profile)).toEqual(['anonymous_id:a7', 'user_id:u7']);
    // Newest first: p1 (T+1s) was viewed last, p2 (T-5s) first.
    expect(strings(profile, 'recently_viewed')).toEqual(['p1', 'p2']);
    expect(featureNumber(profile, 'products_viewed_7d')).toBe(2);
    expect(profile.audiences).toContain('vip_browsers');
    const check = await t.stack.audiences.check({
      audienceId: 'vip_browsers',
      identifier: { type: 'anonymous_id', value: 'a7' },
    });
    expect(check.member).toBe(true);
  });

  it('deletes everything of a person and starts fresh for a later event', async () => {
    await sendInOrder([
      {
        type: 'identify',
        userId: 'u9',
        anonymousId: 'a9',
        messageId: 'id-u9',
        timestamp: iso(T),
        traits: { email: 'Nine@Example.com', tier: 'vip' },
      },
      {
        type: 'alias',
        previousId: 'a9',
        userId: 'u9',
        messageId: 'alias-u9',
        timestamp: iso(T + 1),
      },
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'u9',
        messageId: 'order-u9',
        timestamp: iso(T + 2),
        properties: { order_id: 'o9', revenue: 40 },
      },
    ]);
    const before = (await profileOf(t.stack, 'email', 'nine@example.com'))!;
    expect(before.audiences).toEqual(['buyers']);

    const deleted = await t.stack.profiles.deleteProfile({
      identifier: { type: 'user_id', value: 'u9' },
      reason: 'ticket 42',
    });
    expect(deleted.profileId).toBe(before.profileId);
    expect(deleted.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual([
      'anonymous_id:a9',
      'email:nine@example.com',
      'user_id:u9',
    ]);
    for (const [type, value] of [
      ['user_id', 'u9'],
      ['anonymous_id', 'a9'],
      ['email', 'nine@example.com'],
      ['profile_id', before.profileId],
    ] as const) {
      expect(await profileOf(t.stack, type, value)).toBeUndefined();
    }
    const notice = await waitFor(() => lastOn(STREAMS.profile, 'pulse.profile.deleted'), 10_000);
    const message = fromBinary(ProfileDeletedSchema, notice);
    expect(message.profileId).toBe(before.profileId);
    expect(message.reason).toBe('ticket 42');
    expect(message.deletionId).toBe(deleted.deletionId);
    const exit = await waitFor(() => lastOn(STREAMS.audience, 'pulse.audience.buyers'), 10_000);
    const transition = fromBinary(AudienceTransitionSchema, exit);
    expect(transition).toMatchObject({ profileId: before.profileId, entered: false });
    expect(transition.reason).toBe(TransitionReason.DELETE);

    await sendInOrder([viewed({ anonymousId: 'a9' }, 'p9', T + DAY_MS)]);
    const fresh = (await profileOf(t.stack, 'anonymous_id', 'a9'))!;
    expect(fresh.profileId).not.toBe(before.profileId);
    expect(identifierSet(fresh)).toEqual(['anonymous_id:a9']);
    expect(fresh.traits).toEqual({});
    expect(featureNumber(fresh, 'orders_lifetime')).toBe(0);
    expect(featureNumber(fresh, 'spend_lifetime')).toBe(0);
    expect(fresh.audiences).toEqual([]);
    expect(fresh.merges).toEqual([]);
  });

  it('drops and counts later events of a person deleted with suppression', async () => {
    await sendInOrder([
      { type: 'identify', userId: 'u10', messageId: 'id-u10', timestamp: iso(T), traits: {} },
    ]);
    const suppressedBefore = await metric('pulse_engine_events_total', '{outcome="suppressed"}');
    await t.stack.profiles.deleteProfile({
      identifier: { type: 'user_id', value: 'u10' },
      suppress: true,
    });
    await sendInOrder([viewed({ userId: 'u10' }, 'p10', T + 60 * SECOND_MS)]);
    expect(await profileOf(t.stack, 'user_id', 'u10')).toBeUndefined();
    const suppressedAfter = await metric('pulse_engine_events_total', '{outcome="suppressed"}');
    expect(suppressedAfter - suppressedBefore).toBe(1);
  });

  it('decides without personal data when consent is withheld', async () => {
    const browse = (u: string, consent: boolean) => [
      {
        type: 'identify',
        userId: u,
        messageId: `id-${u}`,
        timestamp: iso(T),
        traits: { tier: 'vip', consent: { personalization: consent } },
      },
      viewed({ userId: u }, 'q1', T + SECOND_MS),
      viewed({ userId: u }, 'q2', T + 2 * SECOND_MS),
    ];
    await sendInOrder([...browse('u11', false), ...browse('u12', true)]);
    const decide = (u: string) =>
      t.stack.decisions.decide({
        placement: 'homepage',
        identifiers: [{ type: 'user_id', value: u }],
        limit: 3,
      });
    const withheld = await decide('u11');
    expect(withheld.personalized).toBe(false);
    expect(withheld.offers.map((o) => o.offerId)).toEqual(['welcome']);
    const allowed = await decide('u12');
    expect(allowed.personalized).toBe(true);
    // Which offers, not their order: the Beta sampler may explore and put welcome first.
    expect(allowed.offers.map((o) => o.offerId).sort()).toEqual(['vip_preview', 'welcome']);
    expect((await profileOf(t.stack, 'user_id', 'u11'))!.personalizationAllowed).toBe(false);
    expect((await profileOf(t.stack, 'user_id', 'u12'))!.personalizationAllowed).toBe(true);
  });

  it('merges nested traits per leaf by event time and never changes a trait type', async () => {
    const conflictsBefore = await metric('pulse_trait_type_conflicts_total');
    await sendInOrder([
      {
        type: 'identify',
        userId: 'u13',
        messageId: 'id-u13-1',
        timestamp: iso(T),
        traits: { address: { city: 'Paris', zip: '75001' }, age: 30 },
      },
      {
        type: 'identify',
        anonymousId: 'a13',
        messageId: 'id-a13',
        timestamp: iso(T + 60 * SECOND_MS),
        traits: { address: { city: 'Lyon' } },
      },
      {
        type: 'identify',
        userId: 'u13',
        messageId: 'id-u13-2',
        timestamp: iso(T + 90 * SECOND_MS),
        traits: { age: 'thirty' },
      },
      {
        type: 'alias',
        previousId: 'a13',
        userId: 'u13',
        messageId: 'alias-u13',
        timestamp: iso(T + 120 * SECOND_MS),
      },
    ]);
    const profile = (await profileOf(t.stack, 'user_id', 'u13'))!;
    expect(profile.traits).toEqual({ address: { city: 'Lyon', zip: '75001' }, age: 30 });
    expect((await metric('pulse_trait_type_conflicts_total')) - conflictsBefore).toBe(1);
  });

  it('lists the merge history and resolves an absorbed profile id', async () => {
    await sendInOrder([
      {
        type: 'identify',
        userId: 'u14',
        anonymousId: 'a14a',
        messageId: 'm14-1',
        timestamp: iso(T),
      },
      { type: 'page', anonymousId: 'a14b', messageId: 'm14-2', timestamp: iso(T + SECOND_MS) },
    ]);
    const anonymous = (await profileOf(t.stack, 'anonymous_id', 'a14b'))!;
    await sendInOrder([
      {
        type: 'identify',
        userId: 'u14',
        anonymousId: 'a14b',
        messageId: 'm14-3',
        timestamp: iso(T + 2 * SECOND_MS),
      },
    ]);
    const profile = (await profileOf(t.stack, 'profile_id', anonymous.profileId))!;
    expect(profile.profileId).not.toBe(anonymous.profileId);
    expect(profile.merges).toHaveLength(1);
    expect(profile.merges[0]).toMatchObject({
      absorbedProfileId: anonymous.profileId,
      messageId: 'm14-3',
      identifiers: [{ type: 'anonymous_id', value: 'a14b' }],
    });
  });

  it('links custom, hashed and phone identifiers by their normalization rules', async () => {
    await sendInOrder([
      {
        type: 'identify',
        userId: 'u15',
        messageId: 'id-u15',
        timestamp: iso(T),
        traits: { phone: '+44 20 7946 0958', email: 'n/a' },
        context: { externalIds: [{ id: 'L-123', type: 'Loyalty_ID', collection: 'users' }] },
      },
      {
        type: 'track',
        event: 'Order Completed',
        anonymousId: 'a15',
        messageId: 'order-a15',
        timestamp: iso(T + SECOND_MS),
        properties: { order_id: 'o15', revenue: 12 },
        context: { externalIds: [{ id: ' L-123 ', type: 'loyalty_id' }] },
      },
    ]);
    const hashed = `sha256:${createHash('sha256').update('L-123').digest('hex')}`;
    const profile = (await profileOf(t.stack, 'loyalty_id', 'L-123'))!;
    expect(identifierSet(profile)).toEqual(
      ['anonymous_id:a15', `loyalty_id:${hashed}`, 'phone:+442079460958', 'user_id:u15'].sort(),
    );
    expect(featureNumber(profile, 'spend_lifetime')).toBe(12);
    expect((await profileOf(t.stack, 'phone', '+442079460958'))!.profileId).toBe(profile.profileId);
    // "n/a" in traits.email linked nothing, and is refused as a lookup.
    expect(profile.traits).toMatchObject({ email: 'n/a' });
    await expect(profileOf(t.stack, 'email', 'n/a')).rejects.toMatchObject({
      code: 3,
      details: 'identifier.value: must be an email address',
    });
  });

  it('never links a second user_id that arrives on one event', async () => {
    await t.stack.ingest.ingest({
      event: {
        type: EventType.IDENTIFY,
        messageId: 'two-users',
        timestamp: timestampFromMs(T),
        identifiers: [
          { type: 'user_id', value: 'gA' },
          { type: 'user_id', value: 'gB' },
        ],
      },
    });
    await sendInOrder([
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'gB',
        messageId: 'order-gB',
        timestamp: iso(T + SECOND_MS),
        properties: { order_id: 'ogB', revenue: 9 },
      },
    ]);
    const a = (await profileOf(t.stack, 'user_id', 'gA'))!;
    const b = (await profileOf(t.stack, 'user_id', 'gB'))!;
    expect(identifierSet(a)).toEqual(['user_id:gA']);
    expect(b.profileId).not.toBe(a.profileId);
    expect(featureNumber(b, 'spend_lifetime')).toBe(9);
    expect(featureNumber(a, 'spend_lifetime')).toBe(0);
  });

  it('deletes a profile named by its profile id', async () => {
    await sendInOrder([
      { type: 'page', anonymousId: 'a17', messageId: 'page-a17', timestamp: iso(T) },
    ]);
    const { profileId } = (await profileOf(t.stack, 'anonymous_id', 'a17'))!;
    const deleted = await t.stack.profiles.deleteProfile({
      identifier: { type: 'profile_id', value: profileId },
    });
    expect(deleted.profileId).toBe(profileId);
    expect(await profileOf(t.stack, 'anonymous_id', 'a17')).toBeUndefined();
    expect(await profileOf(t.stack, 'profile_id', profileId)).toBeUndefined();
  });

  it('deletes a profile from the command line', async () => {
    await sendInOrder([
      {
        type: 'identify',
        userId: 'u16',
        anonymousId: 'a16',
        messageId: 'id-u16',
        timestamp: iso(T),
      },
    ]);
    const { profileId } = (await profileOf(t.stack, 'user_id', 'u16'))!;
    const engine = `127.0.0.1:${t.stack.engine.grpcPort}`;
    const cli = join(REPO_ROOT, 'services/cli/src/main.ts');
    const args = ['--import', 'tsx', cli, 'delete-profile', 'user_id', 'u16', '--engine', engine];
    const { stdout } = await run(process.execPath, [...args, '--reason', 'cli test'], {
      cwd: REPO_ROOT,
    });
    expect(stdout).toContain(`deleted profile ${profileId} (`);
    expect(stdout).toContain('anonymous_id=a16');
    expect(await profileOf(t.stack, 'anonymous_id', 'a16')).toBeUndefined();
    // Asked for afterwards, the CLI says so in words and exits 1.
    const gone = run(
      process.execPath,
      ['--import', 'tsx', cli, 'profile', 'user_id', 'u16', '--engine', engine],
      {
        cwd: REPO_ROOT,
      },
    );
    await expect(gone).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no profile held user_id=u16'),
    });
  });

  /** The data of the last message on `subject`, or undefined when there is none. */
  async function lastOn(stream: string, subject: string): Promise<Uint8Array | undefined> {
    const jsm = await jetstream(t.stack.nc).jetstreamManager();
    try {
      const message = await jsm.streams.getMessage(stream, { last_by_subj: subject });
      return message?.data;
    } catch {
      return undefined;
    }
  }
});
