import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { sendCalls, useStack } from '../harness/stack.js';
import { featureNumber, order, profileOf } from './helpers.js';

describe('duplicate message ids', () => {
  // A one-second JetStream window stands in for "ten minutes later": past
  // it, only the engine's own dedupe index stands between a re-send and a
  // double count.
  const t = useStack({ PULSE_DUPLICATE_WINDOW_MS: '1000' });

  it('stores an id sent twice in one batch once', async () => {
    const call = order('dup-1', 'm-dup-1', '2024-05-01T12:00:00Z');
    const report = await sendCalls(t.stack.nc, [call, call]);
    expect(report).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    await t.stack.caughtUp();
    const profile = await profileOf(t.stack, 'user_id', 'dup-1');
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(1);
  });

  it('reports an old and a repeated id as 2 duplicates in a batch of four', async () => {
    await sendCalls(t.stack.nc, [order('dup-2', 'm-old', '2024-05-01T12:00:00Z')]);
    const report = await sendCalls(t.stack.nc, [
      order('dup-2', 'm-old', '2024-05-01T12:00:00Z'),
      order('dup-2', 'm-new-1', '2024-05-01T13:00:00Z'),
      order('dup-2', 'm-new-2', '2024-05-01T14:00:00Z'),
      order('dup-2', 'm-new-1', '2024-05-01T13:00:00Z'),
    ]);
    expect(report).toMatchObject({ accepted: 2, duplicates: 2, rejected: 0 });
    expect(report.results.map((r) => r.outcome)).toEqual([2, 1, 1, 2]);
    await t.stack.caughtUp();
    const profile = await profileOf(t.stack, 'user_id', 'dup-2');
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(3);
  });

  it('counts a re-send after the JetStream window once, through the engine index', async () => {
    const call = order('dup-3', 'm-late-resend', '2024-05-01T12:00:00Z', 25);
    await sendCalls(t.stack.nc, [call]);
    await t.stack.caughtUp();
    await new Promise((r) => setTimeout(r, 1_500));

    const resend = await sendCalls(t.stack.nc, [call]);
    expect(resend.accepted).toBe(1); // JetStream forgot the id; the stream holds it twice
    const jsm = await jetstreamManager(t.stack.nc);
    const stored = await jsm.streams.getMessage(STREAMS.raw, { last_by_subj: 'pulse.raw.test' });
    expect(stored!.header.get('Nats-Msg-Id')).toBe('m-late-resend');

    await t.stack.caughtUp();
    const profile = await profileOf(t.stack, 'user_id', 'dup-3');
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(1);
    expect(featureNumber(profile!, 'spend_lifetime')).toBe(25);
  });
});
