import { create, toBinary } from '@bufbuild/protobuf';
import type { JsonObject, MessageInitShape } from '@bufbuild/protobuf';
import { ConsideredOfferSchema, DecideResponseSchema, RankedOfferSchema } from '@pulse/proto';
import {
  ScratchWriter,
  WIRE_FIXED64,
  WIRE_LENGTH,
  WIRE_VARINT,
} from '../decision/scratch-writer.js';

// The Decide response written by hand, byte for byte what
// `toBinary(DecideResponseSchema, create(DecideResponseSchema, response))`
// writes: fields by number, implicit-presence defaults left out (+0 but not
// -0), null or undefined init fields taken as unset, unknown fields of full
// messages kept. protobuf-es walks each offer's content Struct reflectively,
// building a Value message per entry; here a catalogue's content is encoded
// once and its bytes reused. tests/encode-decide-response.test.ts holds the
// two encodings equal.

type DecideResponseInit = MessageInitShape<typeof DecideResponseSchema>;
type RankedOfferInit = MessageInitShape<typeof RankedOfferSchema>;
type ConsideredOfferInit = MessageInitShape<typeof ConsideredOfferSchema>;

/** DecideResponse field numbers (proto/pulse/v1/decision.proto). */
const RESPONSE = {
  decisionId: 1,
  profileId: 2,
  offers: 3,
  personalized: 4,
  considered: 5,
  holdout: 6,
};

/** RankedOffer field numbers. */
const RANKED = { offerId: 1, name: 2, score: 3, reasons: 4, content: 5, propensity: 6 };

/** ConsideredOffer field numbers (proto/pulse/v1/decision_record.proto). */
const CONSIDERED = { offerId: 1, verdict: 2, score: 3, propensity: 4, explanation: 5 };

/** google.protobuf.Struct, its map entry, Value and ListValue field numbers. */
const STRUCT_FIELDS = 1;
const ENTRY = { key: 1, value: 2 };
const VALUE = { null: 1, number: 2, string: 3, bool: 4, struct: 5, list: 6 };
const LIST_VALUES = 1;

/**
 * Encoded content Structs, by content object. Only deeply frozen contents
 * (the offer catalogue freezes its own) are kept: they cannot change, so
 * their bytes cannot go stale, and a catalogue reload drops the old entries
 * with the old objects.
 */
const contentBytes = new WeakMap<object, Buffer>();

const scratch = new ScratchWriter();

/** The binary DecideResponse for a message or an init object, as a fresh Buffer. */
export function encodeDecideResponse(response: DecideResponseInit): Buffer {
  if (!verdictsEncodable(response.considered)) return reflective(response);
  const w = scratch;
  w.reset();
  writeResponse(w, response);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/** The reference encoding; it also raises protobuf-es's error for a bad value. */
function reflective(response: DecideResponseInit): Buffer {
  const bytes = toBinary(DecideResponseSchema, create(DecideResponseSchema, response));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Verdicts outside int32 make toBinary throw; those responses take its path. */
function verdictsEncodable(considered: readonly ConsideredOfferInit[] | undefined): boolean {
  for (const offer of considered ?? []) {
    const verdict = offer.verdict ?? 0;
    if ((verdict | 0) !== verdict) return false;
  }
  return true;
}

function writeResponse(w: ScratchWriter, r: DecideResponseInit): void {
  w.string(RESPONSE.decisionId, r.decisionId ?? '');
  w.string(RESPONSE.profileId, r.profileId ?? '');
  for (const offer of r.offers ?? []) {
    w.tag(RESPONSE.offers, WIRE_LENGTH);
    const mark = w.beginLength();
    writeRankedOffer(w, offer);
    w.endLength(mark);
  }
  w.bool(RESPONSE.personalized, r.personalized ?? false);
  for (const offer of r.considered ?? []) {
    w.tag(RESPONSE.considered, WIRE_LENGTH);
    const mark = w.beginLength();
    writeConsideredOffer(w, offer);
    w.endLength(mark);
  }
  w.bool(RESPONSE.holdout, r.holdout ?? false);
  writeUnknown(w, r, DecideResponseSchema.typeName);
}

function writeRankedOffer(w: ScratchWriter, o: RankedOfferInit): void {
  w.string(RANKED.offerId, o.offerId ?? '');
  w.string(RANKED.name, o.name ?? '');
  w.double(RANKED.score, o.score ?? 0);
  for (const reason of o.reasons ?? []) w.stringItem(RANKED.reasons, reason);
  if (o.content != null) writeContent(w, o.content);
  w.double(RANKED.propensity, o.propensity ?? 0);
  writeUnknown(w, o, RankedOfferSchema.typeName);
}

function writeConsideredOffer(w: ScratchWriter, o: ConsideredOfferInit): void {
  w.string(CONSIDERED.offerId, o.offerId ?? '');
  const verdict = o.verdict ?? 0;
  if (verdict !== 0) {
    w.tag(CONSIDERED.verdict, WIRE_VARINT);
    w.int64(verdict);
  }
  w.double(CONSIDERED.score, o.score ?? 0);
  w.double(CONSIDERED.propensity, o.propensity ?? 0);
  w.string(CONSIDERED.explanation, o.explanation ?? '');
  writeUnknown(w, o, ConsideredOfferSchema.typeName);
}

/** The content Struct field, from the cache when the content is frozen. */
function writeContent(w: ScratchWriter, content: JsonObject): void {
  const cached = contentBytes.get(content);
  if (cached) {
    w.bytes(RANKED.content, cached, cached.length);
    return;
  }
  w.tag(RANKED.content, WIRE_LENGTH);
  const mark = w.beginLength();
  writeStruct(w, content);
  const length = w.endLength(mark);
  if (isDeeplyFrozen(content)) {
    contentBytes.set(content, Buffer.from(w.buf.subarray(w.pos - length, w.pos)));
  }
}

/** A Struct's map entries, in the object's key order as protobuf-es takes them. */
function writeStruct(w: ScratchWriter, json: object): void {
  for (const [key, value] of Object.entries(json)) {
    w.tag(STRUCT_FIELDS, WIRE_LENGTH);
    const entry = w.beginLength();
    w.stringItem(ENTRY.key, key);
    w.tag(ENTRY.value, WIRE_LENGTH);
    const mark = w.beginLength();
    writeValue(w, value);
    w.endLength(mark);
    w.endLength(entry);
  }
}

/**
 * A Value's one set field; the oneof is written even at its zero value.
 * What JSON cannot hold (undefined, a function) is a Value with no kind.
 */
function writeValue(w: ScratchWriter, value: unknown): void {
  switch (typeof value) {
    case 'number':
      w.tag(VALUE.number, WIRE_FIXED64);
      w.rawDouble(value);
      return;
    case 'string':
      w.stringItem(VALUE.string, value);
      return;
    case 'boolean':
      w.tag(VALUE.bool, WIRE_VARINT);
      w.varint(value ? 1 : 0);
      return;
    case 'object':
      if (value === null) {
        w.tag(VALUE.null, WIRE_VARINT);
        w.varint(0);
      } else if (Array.isArray(value)) {
        w.tag(VALUE.list, WIRE_LENGTH);
        const mark = w.beginLength();
        writeListValues(w, value);
        w.endLength(mark);
      } else {
        w.tag(VALUE.struct, WIRE_LENGTH);
        const mark = w.beginLength();
        writeStruct(w, value);
        w.endLength(mark);
      }
  }
}

function writeListValues(w: ScratchWriter, values: readonly unknown[]): void {
  for (const item of values) {
    w.tag(LIST_VALUES, WIRE_LENGTH);
    const mark = w.beginLength();
    writeValue(w, item);
    w.endLength(mark);
  }
}

interface UnknownFields {
  $typeName?: string;
  $unknown?: readonly { no: number; wireType: number; data: Uint8Array }[];
}

/** Unknown fields, which `create` keeps only on a full message of the type. */
function writeUnknown(w: ScratchWriter, message: object, typeName: string): void {
  const { $typeName, $unknown } = message as UnknownFields;
  if ($typeName !== typeName || !$unknown) return;
  for (const field of $unknown) {
    w.tag(field.no, field.wireType);
    w.raw(field.data);
  }
}

/** True when no part of `value` can change: frozen all through, data properties only. */
function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  const properties = Object.getOwnPropertyDescriptors(value);
  for (const key of Object.keys(properties)) {
    const property = properties[key]!;
    if (!('value' in property) || !isDeeplyFrozen(property.value)) return false;
  }
  return true;
}
