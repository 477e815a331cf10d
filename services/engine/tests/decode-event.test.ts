import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { DecisionLoggedSchema, EventSchema, EventType, OfferVerdict } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../src/ingest/decode-event.js';
import { encodeDecisionEvent } from '../src/decision/encode-decision-event.js';

type EventInit = MessageInitShape<typeof EventSchema>;

const AT_MS = 1_764_700_000_123;

const LOGGED = {
  decisionId: 'd-1',
  profileId: 'p-é😀',
  placement: 'homepage',
  decidedAt: timestampFromMs(AT_MS - 5),
  consideredOfferIds: 'a\nb\nc',
  consideredVerdicts: [OfferVerdict.CHOSEN, OfferVerdict.OUTRANKED, OfferVerdict.HELD_OUT],
  consideredScores: [1.5, -0, 0.1 + 0.2],
  holdout: true,
  personalized: true,
  context: [1, 2.5],
  model: 'beta',
  explored: true,
  chosen: ['a'],
  chosenGroups: [''],
};

function decisionEvent(overrides: Record<string, unknown> = {}): EventInit {
  const init = {
    messageId: 'd-1',
    type: EventType.DECISION,
    timestamp: timestampFromMs(AT_MS),
    receivedAt: timestampFromMs(AT_MS + 1),
    source: 'pulse-decisions',
    decision: create(DecisionLoggedSchema, LOGGED),
    ...overrides,
  };
  return init as EventInit;
}

const bytesOf = (init: EventInit) => toBinary(EventSchema, create(EventSchema, init));

describe('decodeEvent', () => {
  it.each<[string, Uint8Array]>([
    ['a decision as Decide publishes it', bytesOf(decisionEvent())],
    [
      'a decision encoded by hand',
      encodeDecisionEvent(
        { messageId: 'm', source: 's', timestampMs: AT_MS, receivedAtMs: AT_MS },
        create(DecisionLoggedSchema, LOGGED),
      ),
    ],
    ['a decision with every field at its default', bytesOf({ type: EventType.DECISION })],
    ['a decision without a record', bytesOf(decisionEvent({ decision: undefined }))],
    ['a decision before 1970', bytesOf(decisionEvent({ timestamp: timestampFromMs(-1_001) }))],
    ['a decision with a property (not ours)', bytesOf(decisionEvent({ event: 'x' }))],
    ['a track event', bytesOf({ type: EventType.TRACK, event: 'Order Completed', source: 'web' })],
    ['an empty message', new Uint8Array()],
  ])('gives what fromBinary gives for %s', (_, data) => {
    expect(decodeEvent(data)).toStrictEqual(fromBinary(EventSchema, data));
  });

  it('reads a packed list split in parts as fromBinary does', () => {
    const score = (value: number) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value, true);
      return [(15 << 3) | 2, 8, ...bytes];
    };
    const body = [...score(1.25), ...score(-3)];
    const data = Uint8Array.from([2 << 3, EventType.DECISION, 0x8a, 0x01, body.length, ...body]);

    expect(decodeEvent(data).decision?.consideredScores).toEqual([1.25, -3]);
    expect(decodeEvent(data)).toStrictEqual(fromBinary(EventSchema, data));
  });

  it('keeps unknown fields as fromBinary does', () => {
    const whole = bytesOf(decisionEvent());
    // Field 99 (varint 1) after the record: kept as unknown by fromBinary.
    const withUnknown = Uint8Array.from([...whole, 0x98, 0x06, 0x01]);
    expect(decodeEvent(withUnknown)).toStrictEqual(fromBinary(EventSchema, withUnknown));
  });

  it('throws on truncated data, as fromBinary does', () => {
    const whole = bytesOf(decisionEvent());
    const truncated = whole.subarray(0, whole.length - 3);
    expect(() => fromBinary(EventSchema, truncated)).toThrow();
    expect(() => decodeEvent(truncated)).toThrow();
  });
});
