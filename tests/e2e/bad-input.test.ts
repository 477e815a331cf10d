import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { EventOutcome, EventType } from '@pulse/proto';
import { sendCalls, useStack } from '../harness/stack.js';
import { featureNumber, featureTime, order, profileOf } from './helpers.js';

const INSTANT_MS = Date.UTC(2024, 4, 1, 12, 0, 0); // 2024-05-01T12:00:00Z

describe('bad input through the collector and engine', () => {
  const t = useStack();

  it('normalizes one instant written seven ways, and rejects "safaff"', async () => {
    const forms = [
      '2024-05-01T12:00:00Z',
      '2024-05-01T14:00:00+02:00',
      '2024-05-01T07:00:00-05:00',
      '2024-05-01t17:30:00+05:30',
      1714564800,
      1714564800000,
      '1714564800000',
    ];
    const calls = forms.map((timestamp, i) => ({
      ...order(`ts-${i}`, `m-ts-${i}`, ''),
      timestamp,
    }));
    calls.push({ ...order('ts-bad', 'm-ts-bad', ''), timestamp: 'safaff' as never });
    const report = await sendCalls(t.stack.nc, calls);
    expect(report).toMatchObject({ accepted: 7, rejected: 1 });
    expect(report.results[7]).toMatchObject({ outcome: EventOutcome.REJECTED, field: 'timestamp' });

    await t.stack.caughtUp();
    for (let i = 0; i < forms.length; i++) {
      const profile = await profileOf(t.stack, 'user_id', `ts-${i}`);
      expect(featureTime(profile!, 'first_seen'), String(forms[i])).toBe(INSTANT_MS);
    }
    expect(await profileOf(t.stack, 'user_id', 'ts-bad')).toBeUndefined();
  });

  it('rejects a 40 KB event naming the 32 KB limit, and takes the 20 good ones beside it', async () => {
    const good = Array.from({ length: 20 }, (_, i) =>
      order(`size-${i}`, `m-size-${i}`, '2024-05-01T12:00:00Z'),
    );
    const big = { ...order('size-big', 'm-size-big', '2024-05-01T12:00:00Z') };
    big.properties = { ...big.properties, note: 'x'.repeat(40 * 1024) } as never;
    const report = await sendCalls(t.stack.nc, [...good.slice(0, 10), big, ...good.slice(10)]);
    expect(report).toMatchObject({ accepted: 20, rejected: 1, duplicates: 0 });
    const rejected = report.results.find((r) => r.outcome === EventOutcome.REJECTED)!;
    expect(rejected.index).toBe(10);
    expect(rejected.reason).toMatch(/32 ?KB|32768/);
  });

  it('refuses a batch over 500 KB whole and stores none of it', async () => {
    const jsm = await jetstreamManager(t.stack.nc);
    const before = (await jsm.streams.info(STREAMS.raw)).state.messages;
    const calls = Array.from({ length: 30 }, (_, i) => ({
      ...order(`huge-${i}`, `m-huge-${i}`, '2024-05-01T12:00:00Z'),
      context: { extra: 'y'.repeat(20 * 1024) },
    }));
    const report = await sendCalls(t.stack.nc, calls);
    expect(report.accepted).toBe(0);
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ outcome: EventOutcome.REJECTED, field: 'batch' });
    expect((await jsm.streams.info(STREAMS.raw)).state.messages).toBe(before);
  });

  it('rejects over-long user ids up front and applies the next normal event', async () => {
    const twoByte = 'é'.repeat(1_000); // 2,000 UTF-8 bytes
    const ascii = 'a'.repeat(5_000);
    const report = await sendCalls(t.stack.nc, [
      order(twoByte, 'm-long-1', '2024-05-01T12:00:00Z'),
      order(ascii, 'm-long-2', '2024-05-01T12:00:00Z'),
      order('after-long', 'm-long-3', '2024-05-01T12:00:00Z'),
    ]);
    expect(report.results.map((r) => [r.outcome, r.field])).toEqual([
      [EventOutcome.REJECTED, 'userId'],
      [EventOutcome.REJECTED, 'userId'],
      [EventOutcome.ACCEPTED, ''],
    ]);
    await t.stack.caughtUp();
    expect(
      featureNumber((await profileOf(t.stack, 'user_id', 'after-long'))!, 'orders_lifetime'),
    ).toBe(1);
  });

  it('keeps a unicode user id under the limit readable by the same id', async () => {
    const id = 'Zoë-客户-🛒';
    await sendCalls(t.stack.nc, [order(id, 'm-unicode', '2024-05-01T12:00:00Z', 7.5)]);
    await t.stack.caughtUp();
    const profile = await profileOf(t.stack, 'user_id', id);
    expect(featureNumber(profile!, 'spend_lifetime')).toBe(7.5);
  });

  it.each([
    ['a missing type', { event: 'Order Completed', userId: 'x', messageId: 'm-t1' }, 'type'],
    ['an unknown type', { type: 'test', userId: 'x', messageId: 'm-t2' }, 'type'],
    [
      'a track with a blank name',
      { type: 'track', event: '   ', userId: 'x', messageId: 'm-t3' },
      'event',
    ],
    [
      'no identifier at all',
      { type: 'track', event: 'E', userId: '', messageId: 'm-t4' },
      'userId',
    ],
  ])('rejects %s naming the field', async (_, call, field) => {
    const report = await sendCalls(t.stack.nc, [call]);
    expect(report.results[0]).toMatchObject({ outcome: EventOutcome.REJECTED, field });
  });

  it('trims event names and treats an empty user id beside an anonymous id as absent', async () => {
    const report = await sendCalls(t.stack.nc, [
      {
        type: 'track',
        event: '  Order Completed  ',
        userId: '',
        anonymousId: 'anon-trim',
        messageId: 'm-trim',
        timestamp: '2024-05-01T12:00:00Z',
        properties: { revenue: 3 },
      },
    ]);
    expect(report.accepted).toBe(1);
    await t.stack.caughtUp();
    const profile = await profileOf(t.stack, 'anonymous_id', 'anon-trim');
    expect(featureNumber(profile!, 'orders_lifetime')).toBe(1);
    expect(profile!.identifiers.map((i) => i.type)).toEqual(['anonymous_id']);
  });

  it('sends rejected events to the dead-letter stream with reason and original bytes', async () => {
    const call = { type: 'test', userId: 'dlq', messageId: 'm-dlq' };
    await sendCalls(t.stack.nc, [call], 'dlqcheck');
    const jsm = await jetstreamManager(t.stack.nc);
    const stored = await jsm.streams.getMessage(STREAMS.deadLetter, {
      last_by_subj: 'pulse.dlq.dlqcheck',
    });
    expect(stored!.header.get('Pulse-Field')).toBe('type');
    expect(stored!.header.get('Pulse-Reason')).not.toBe('');
    expect(JSON.parse(stored!.string())).toEqual(call);
  });

  it('answers gRPC ingest with per-event outcomes and refuses an oversize batch', async () => {
    const ok = await t.stack.ingest.ingestBatch({
      events: [
        {
          type: EventType.TRACK,
          event: 'Order Completed',
          messageId: 'g-1',
          identifiers: [{ type: 'user_id', value: 'grpc-1' }],
        },
        {
          event: 'Order Completed',
          messageId: 'g-2',
          identifiers: [{ type: 'user_id', value: 'x' }],
        },
      ],
    });
    expect([ok.accepted, ok.rejected]).toEqual([1, 1]);
    expect(ok.results[1]).toMatchObject({ outcome: EventOutcome.REJECTED, field: 'type' });

    const huge = Array.from({ length: 30 }, (_, i) => ({
      type: EventType.TRACK,
      event: 'E',
      messageId: `g-big-${i}`,
      identifiers: [{ type: 'user_id', value: 'x' }],
      name: 'n'.repeat(20_000),
    }));
    await expect(t.stack.ingest.ingestBatch({ events: huge })).rejects.toMatchObject({ code: 3 });
  });
});
