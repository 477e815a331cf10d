import { describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { jetstream } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { AudienceTransitionSchema, TransitionReason } from '@pulse/proto';
import type { AudienceTransition } from '@pulse/proto';
import { waitFor } from '../harness/index.js';
import { sendCalls, useStack } from '../harness/stack.js';
import { order, profileOf } from './helpers.js';

const T = Date.UTC(2024, 4, 1);
const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('audience transitions on PULSE_AUDIENCE', () => {
  const t = useStack({ PULSE_CLOCK: 'event' });

  async function transitionsOf(audienceId: string, profileId: string, count: number) {
    const consumer = await jetstream(t.stack.nc).consumers.get(STREAMS.audience, {
      filter_subjects: `pulse.audience.${audienceId}`,
    });
    const seen: AudienceTransition[] = [];
    const messages = await consumer.fetch({ max_messages: 1_000, expires: 2_000 });
    for await (const m of messages) {
      const t = fromBinary(AudienceTransitionSchema, m.data);
      if (t.profileId === profileId) seen.push(t);
    }
    return seen.length >= count ? seen : undefined;
  }

  it('publishes an entry caused by events and an exit caused by time, once each', async () => {
    await sendCalls(t.stack.nc, [
      order('tr-1', 'm-tr-1', iso(T)),
      order('tr-1', 'm-tr-2', iso(T + HOUR_MS)),
    ]);
    await t.stack.caughtUp();
    const profileId = (await profileOf(t.stack, 'user_id', 'tr-1'))!.profileId;

    // Another customer's order eight days later moves the event clock past
    // the window of tr-1's orders: tr-1 leaves with no event of its own.
    await sendCalls(t.stack.nc, [order('tr-2', 'm-tr-3', iso(T + 8 * 24 * HOUR_MS))]);
    await t.stack.caughtUp();

    const seen = await waitFor(() => transitionsOf('repeat_buyers_7d', profileId, 2), 15_000, 200);
    expect(seen.map((t) => [t.entered, t.reason])).toEqual([
      [true, TransitionReason.EVENT],
      [false, TransitionReason.TIME],
    ]);
    // Computed at the engine's now: just after the newest event applied then.
    expect(timestampMs(seen[0]!.at!)).toBe(T + HOUR_MS + 1);
    expect(timestampMs(seen[1]!.at!)).toBe(T + 8 * 24 * HOUR_MS + 1);
    // The entry was caused by the second order; the exit by time passing.
    expect(timestampMs(seen[0]!.causedAt!)).toBe(T + HOUR_MS);
    expect(timestampMs(seen[1]!.causedAt!)).toBe(T + 8 * 24 * HOUR_MS + 1);
    // File definitions are version 1.
    expect(seen.map((t) => t.audienceVersion)).toEqual([1, 1]);
  });

  it('publishes an exit with reason merge when a profile is merged away', async () => {
    const at = T + 30 * 24 * HOUR_MS;
    await sendCalls(t.stack.nc, [
      { ...order('', 'm-mg-1', iso(at)), userId: undefined, anonymousId: 'anon-mg' },
      { ...order('', 'm-mg-2', iso(at + HOUR_MS)), userId: undefined, anonymousId: 'anon-mg' },
      order('user-mg', 'm-mg-3', iso(at + HOUR_MS)),
    ]);
    await t.stack.caughtUp();
    const absorbedId = (await profileOf(t.stack, 'anonymous_id', 'anon-mg'))!.profileId;
    await sendCalls(t.stack.nc, [
      {
        type: 'identify',
        userId: 'user-mg',
        anonymousId: 'anon-mg',
        messageId: 'm-mg-4',
        timestamp: iso(at + 2 * HOUR_MS),
      },
    ]);
    await t.stack.caughtUp();

    const survivor = await profileOf(t.stack, 'anonymous_id', 'anon-mg');
    expect(survivor!.profileId).not.toBe(absorbedId);
    const seen = await waitFor(() => transitionsOf('repeat_buyers_7d', absorbedId, 2), 15_000, 200);
    expect(seen.map((t) => [t.entered, t.reason])).toEqual([
      [true, TransitionReason.EVENT],
      [false, TransitionReason.MERGE],
    ]);
    // The exit was caused by the identify that linked the two, at its event time.
    expect(timestampMs(seen[1]!.causedAt!)).toBe(at + 2 * HOUR_MS);
  });
});
