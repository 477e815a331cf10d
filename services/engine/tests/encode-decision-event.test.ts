import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { DecisionLoggedSchema, EventSchema, EventType, OfferVerdict } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { encodeDecisionEvent } from '../src/decision/encode-decision-event.js';
import type { DecisionEventFields } from '../src/decision/encode-decision-event.js';

type LoggedInit = MessageInitShape<typeof DecisionLoggedSchema>;

const FIELDS: DecisionEventFields = {
  messageId: 'd-1',
  source: 'pulse-decisions',
  timestampMs: 1_764_700_000_123,
  receivedAtMs: 1_764_700_000_456,
};

/** What protobuf-es writes for the same event: the reference encoding. */
function reflective(fields: DecisionEventFields, init: LoggedInit): Uint8Array {
  const event = create(EventSchema, {
    messageId: fields.messageId,
    type: EventType.DECISION,
    timestamp: timestampFromMs(fields.timestampMs),
    receivedAt: timestampFromMs(fields.receivedAtMs),
    source: fields.source,
    decision: create(DecisionLoggedSchema, init),
  });
  return toBinary(EventSchema, event);
}

/** A decision over `n` offers with varied verdicts and scores. */
function manyOffers(n: number): LoggedInit {
  const verdicts = Object.values(OfferVerdict).filter((v) => typeof v === 'number');
  const ids = Array.from({ length: n }, (_, i) => `offer_${i}`);
  return {
    decisionId: 'd-many',
    profileId: 'p-1',
    placement: 'homepage',
    decidedAt: timestampFromMs(1_764_700_000_000),
    consideredOfferIds: ids.join('\n'),
    consideredVerdicts: ids.map((_, i) => verdicts[i % verdicts.length]!),
    consideredScores: ids.map((_, i) => (i % 7 === 0 ? 0 : i * 0.37 + 1 / (i + 1))),
    context: [1, 3, 412.5],
    model: 'beta',
    explored: true,
    chosen: ['offer_1', 'offer_2'],
    chosenGroups: ['g1', ''],
  };
}

describe('encodeDecisionEvent', () => {
  it.each<[string, LoggedInit, Partial<DecisionEventFields>?]>([
    ['a decision over 20 offers', manyOffers(20)],
    ['a decision over 200 offers', manyOffers(200)],
    ['an empty decision (every field at its default)', {}],
    ['a decided-at of zero', { decidedAt: timestampFromMs(0) }],
    ['instants before 1970', { decidedAt: timestampFromMs(-1_500) }, { timestampMs: -86_400_001 }],
    ['a decided-at with sub-millisecond nanos', { decidedAt: { seconds: 12n, nanos: 1_234_567 } }],
    [
      'non-ASCII and unpaired surrogate text',
      { profileId: 'p-é😀', placement: 'x\ud800y', chosen: ['ü'], chosenGroups: [''] },
      { messageId: 'm-ß' },
    ],
    [
      'unusual scores',
      { consideredScores: [-0, Number.NaN, Infinity, -1e308, 5e-324], context: [-2.5] },
    ],
    ['flags only', { holdout: true, personalized: true, explored: false, model: 'fixed' }],
  ])('writes the bytes protobuf-es writes for %s', (_, init, overrides) => {
    const fields = { ...FIELDS, ...overrides };
    const decision = create(DecisionLoggedSchema, init);
    expect(encodeDecisionEvent(fields, decision)).toEqual(reflective(fields, init));
  });

  it('writes each event into its own array, untouched by the next call', () => {
    const first = encodeDecisionEvent(FIELDS, create(DecisionLoggedSchema, manyOffers(5)));
    const copy = first.slice();
    encodeDecisionEvent(FIELDS, create(DecisionLoggedSchema, manyOffers(300)));
    expect(first).toEqual(copy);
    expect(fromBinary(EventSchema, first).decision?.decisionId).toBe('d-many');
  });
});
