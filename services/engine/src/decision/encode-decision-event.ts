import { EventType } from '@pulse/proto';
import type { DecisionLogged } from '@pulse/proto';

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

const WIRE_VARINT = 0;
const WIRE_LENGTH = 2;

const INITIAL_SCRATCH_BYTES = 16 * 1024;

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

/**
 * A growable buffer for one message at a time. Reused between calls (Decide
 * is synchronous up to the publish), so callers copy out what they keep.
 */
class ScratchWriter {
  buf = Buffer.allocUnsafe(INITIAL_SCRATCH_BYTES);
  pos = 0;

  reset(): void {
    this.pos = 0;
  }

  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** A non-negative integer below 2^53 as a varint. */
  varint(value: number): void {
    this.reserve(10);
    while (value > 0x7f) {
      this.buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.pos++] = value;
  }

  tag(fieldNo: number, wireType: number): void {
    this.varint(fieldNo * 8 + wireType);
  }

  /** A string field; the empty string is the default and left out. */
  string(fieldNo: number, value: string): void {
    if (value !== '') this.stringItem(fieldNo, value);
  }

  /** One element of a repeated string (written even when empty). */
  stringItem(fieldNo: number, value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.tag(fieldNo, WIRE_LENGTH);
    this.varint(bytes);
    this.reserve(bytes);
    this.pos += this.buf.write(value, this.pos, bytes, 'utf8');
  }

  bool(fieldNo: number, value: boolean): void {
    if (!value) return;
    this.tag(fieldNo, WIRE_VARINT);
    this.varint(1);
  }

  packedDoubles(fieldNo: number, values: readonly number[]): void {
    if (values.length === 0) return;
    this.tag(fieldNo, WIRE_LENGTH);
    this.varint(values.length * 8);
    this.reserve(values.length * 8);
    for (const value of values) {
      this.buf.writeDoubleLE(value, this.pos);
      this.pos += 8;
    }
  }

  packedEnums(fieldNo: number, values: readonly number[]): void {
    if (values.length === 0) return;
    let bytes = 0;
    for (const value of values) bytes += int64Size(value);
    this.tag(fieldNo, WIRE_LENGTH);
    this.varint(bytes);
    for (const value of values) this.int64(value);
  }

  /** A google.protobuf.Timestamp; a zero field is the default and left out. */
  timestamp(fieldNo: number, seconds: number, nanos: number): void {
    const secondsSize = seconds === 0 ? 0 : 1 + int64Size(seconds);
    const nanosSize = nanos === 0 ? 0 : 1 + int64Size(nanos);
    this.tag(fieldNo, WIRE_LENGTH);
    this.varint(secondsSize + nanosSize);
    if (seconds !== 0) {
      this.tag(1, WIRE_VARINT);
      this.int64(seconds);
    }
    if (nanos !== 0) {
      this.tag(2, WIRE_VARINT);
      this.int64(nanos);
    }
  }

  /** A timestamp at `ms`, split as `timestampFromMs` splits it. */
  timestampMs(fieldNo: number, ms: number): void {
    const seconds = Math.floor(ms / 1000);
    this.timestamp(fieldNo, seconds, (ms - seconds * 1000) * 1_000_000);
  }

  /** An int32 or int64 varint; negative values take ten bytes, as two's complement. */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    let rest = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (rest > 0x7fn) {
      this.buf[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buf[this.pos++] = Number(rest);
  }

  bytes(fieldNo: number, source: Buffer, length: number): void {
    this.tag(fieldNo, WIRE_LENGTH);
    this.varint(length);
    this.reserve(length);
    source.copy(this.buf, this.pos, 0, length);
    this.pos += length;
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 0x80);
    size += 1;
  }
  return size;
}

function int64Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

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
