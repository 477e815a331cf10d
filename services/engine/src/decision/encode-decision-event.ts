import { EventType } from '@pulse/proto';
import type { DecisionLogged } from '@pulse/proto';
import { ScratchWriter, WIRE_VARINT } from './scratch-writer.js';

// The DECISION event written by hand, byte for byte what
// `toBinary(EventSchema, event)` writes for it (fields by number, defaults
// left out, scalar lists packed). protobuf-es encodes reflectively and
// allocates two arrays per double, which with 200 offers cost more than the
// rest of the decision; tests/encode-decision-event.test.ts holds the two
// encodings equal.

/** What a DECISION event carries besides the decision. */
export interface DecisionEventFields {
  messageId: string;
  source: string;
  /** Event time and receipt time, epoch ms (integers). */
  timestampMs: number;
  receivedAtMs: number;
}

/** Event field numbers (proto/pulse/v1/event.proto). */
const EVENT = { messageId: 1, type: 2, timestamp: 5, receivedAt: 6, source: 7, decision: 17 };

/** DecisionLogged field numbers (proto/pulse/v1/decision_record.proto). */
const LOGGED = {
  decisionId: 1,
  profileId: 2,
  placement: 3,
  decidedAt: 4,
  holdout: 6,
  personalized: 7,
  context: 8,
  model: 9,
  explored: 10,
  chosen: 11,
  chosenGroups: 12,
  consideredVerdicts: 14,
  consideredScores: 15,
  consideredOfferIds: 16,
};

const decisionScratch = new ScratchWriter();
const eventScratch = new ScratchWriter();

/** The binary `Event` of type DECISION carrying `decision`, as a fresh array. */
export function encodeDecisionEvent(
  fields: DecisionEventFields,
  decision: DecisionLogged,
): Uint8Array {
  const body = decisionScratch;
  body.reset();
  writeDecisionLogged(body, decision);

  const out = eventScratch;
  out.reset();
  out.string(EVENT.messageId, fields.messageId);
  out.tag(EVENT.type, WIRE_VARINT);
  out.varint(EventType.DECISION);
  out.timestampMs(EVENT.timestamp, fields.timestampMs);
  out.timestampMs(EVENT.receivedAt, fields.receivedAtMs);
  out.string(EVENT.source, fields.source);
  out.bytes(EVENT.decision, body.buf, body.pos);
  const data = new Uint8Array(out.pos);
  data.set(out.buf.subarray(0, out.pos));
  return data;
}

function writeDecisionLogged(w: ScratchWriter, d: DecisionLogged): void {
  w.string(LOGGED.decisionId, d.decisionId);
  w.string(LOGGED.profileId, d.profileId);
  w.string(LOGGED.placement, d.placement);
  if (d.decidedAt) w.timestamp(LOGGED.decidedAt, Number(d.decidedAt.seconds), d.decidedAt.nanos);
  w.bool(LOGGED.holdout, d.holdout);
  w.bool(LOGGED.personalized, d.personalized);
  w.packedDoubles(LOGGED.context, d.context);
  w.string(LOGGED.model, d.model);
  w.bool(LOGGED.explored, d.explored);
  for (const offerId of d.chosen) w.stringItem(LOGGED.chosen, offerId);
  for (const group of d.chosenGroups) w.stringItem(LOGGED.chosenGroups, group);
  w.packedEnums(LOGGED.consideredVerdicts, d.consideredVerdicts);
  w.packedDoubles(LOGGED.consideredScores, d.consideredScores);
  w.string(LOGGED.consideredOfferIds, d.consideredOfferIds);
}
