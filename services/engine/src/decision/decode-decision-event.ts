import { fromBinary } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { EventSchema, EventType } from '@pulse/proto';
import type { DecisionLogged, Event } from '@pulse/proto';

// The DECISION events this engine writes (encode-decision-event.ts), read
// without reflection: they come back from the raw stream once per decision.
// Anything else, or anything unexpected in one (another field, another wire
// type, a varint past 31 bits, a repeated message field), is left to
// `fromBinary`, so the result is always what `fromBinary` gives.
// tests/decode-decision-event.test.ts holds the two equal.

const WIRE_VARINT = 0;
const WIRE_LENGTH = 2;

// Messages are built as literals with every field `create` sets: objects
// of one fixed shape, which V8 builds and reads much faster than copies.

const utf8 = new TextDecoder();

/** Thrown inside the fast path to hand the message to `fromBinary`. */
class NotFastPathError extends Error {
  override name = 'NotFastPathError';
}

const NOT_FAST = new NotFastPathError('not a plain DECISION event');

/** Decodes a binary `Event`, as `fromBinary(EventSchema, data)` does (and throws as it does). */
export function decodeEvent(data: Uint8Array): Event {
  try {
    return readEvent(new Reader(data));
  } catch (err) {
    if (err !== NOT_FAST) throw err;
    return fromBinary(EventSchema, data);
  }
}

class Reader {
  pos = 0;
  readonly view: DataView;
  /** The same bytes, for Node's string decoding. */
  readonly bytes: Buffer;

  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A varint below 2^31 (anything longer is not ours to read). */
  uint31(): number {
    let value = 0;
    for (let shift = 0; shift < 31; shift += 7) {
      if (this.pos >= this.end) throw NOT_FAST;
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value <= 0x7fffffff ? value : fail();
    }
    return fail();
  }

  /** The end of a length-delimited field that starts here. */
  limit(): number {
    const length = this.uint31();
    const end = this.pos + length;
    return end <= this.end ? end : fail();
  }

  /**
   * ASCII (ids, placements, sources) is its own Latin-1, which Node reads
   * far faster than a TextDecoder call; other text is decoded as protobuf-es
   * decodes it.
   */
  string(): string {
    const end = this.limit();
    const start = this.pos;
    this.pos = end;
    const { buf } = this;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) return utf8.decode(buf.subarray(start, end));
    }
    return this.bytes.toString('latin1', start, end);
  }

  bool(): boolean {
    const value = this.uint31();
    return value === 1 || (value === 0 ? false : fail());
  }

  doubles(): number[] {
    const end = this.limit();
    if ((end - this.pos) % 8 !== 0) fail();
    const values: number[] = [];
    for (; this.pos < end; this.pos += 8) values.push(this.view.getFloat64(this.pos, true));
    return values;
  }

  varints(): number[] {
    const end = this.limit();
    const values: number[] = [];
    while (this.pos < end) values.push(this.uint31());
    return this.pos === end ? values : fail();
  }

  timestamp(): Timestamp {
    const end = this.limit();
    let seconds = 0;
    let nanos = 0;
    while (this.pos < end) {
      const tag = this.uint31();
      if (tag === (1 << 3) + WIRE_VARINT) seconds = this.uint31();
      else if (tag === (2 << 3) + WIRE_VARINT) nanos = this.uint31();
      else fail();
    }
    if (this.pos !== end) fail();
    return { $typeName: 'google.protobuf.Timestamp', seconds: BigInt(seconds), nanos };
  }
}

/** A packed list read in parts (allowed, if never written so) is their concatenation. */
function joined(head: number[], tail: number[]): number[] {
  return head.length === 0 ? tail : head.concat(tail);
}

function fail(): never {
  throw NOT_FAST;
}

function readEvent(r: Reader): Event {
  const event: Event = {
    $typeName: 'pulse.v1.Event',
    messageId: '',
    type: EventType.UNSPECIFIED,
    event: '',
    name: '',
    source: '',
    identifiers: [],
    previousId: '',
    groupId: '',
    profileId: '',
  };
  while (r.pos < r.end) {
    const tag = r.uint31();
    switch (tag) {
      case (1 << 3) + WIRE_LENGTH:
        event.messageId = r.string();
        break;
      case (2 << 3) + WIRE_VARINT:
        event.type = r.uint31();
        break;
      case (5 << 3) + WIRE_LENGTH:
        event.timestamp = event.timestamp ? fail() : r.timestamp();
        break;
      case (6 << 3) + WIRE_LENGTH:
        event.receivedAt = event.receivedAt ? fail() : r.timestamp();
        break;
      case (7 << 3) + WIRE_LENGTH:
        event.source = r.string();
        break;
      case (17 << 3) + WIRE_LENGTH: {
        if (event.decision) fail();
        const end = r.limit();
        event.decision = readDecision(new Reader(r.buf, end), r.pos);
        r.pos = end;
        break;
      }
      default:
        fail();
    }
  }
  return event.type === EventType.DECISION ? event : fail();
}

function readDecision(r: Reader, start: number): DecisionLogged {
  r.pos = start;
  const d: DecisionLogged = {
    $typeName: 'pulse.v1.DecisionLogged',
    decisionId: '',
    profileId: '',
    placement: '',
    consideredOfferIds: '',
    consideredVerdicts: [],
    consideredScores: [],
    holdout: false,
    personalized: false,
    context: [],
    model: '',
    explored: false,
    chosen: [],
    chosenGroups: [],
  };
  while (r.pos < r.end) {
    const tag = r.uint31();
    switch (tag) {
      case (1 << 3) + WIRE_LENGTH:
        d.decisionId = r.string();
        break;
      case (2 << 3) + WIRE_LENGTH:
        d.profileId = r.string();
        break;
      case (3 << 3) + WIRE_LENGTH:
        d.placement = r.string();
        break;
      case (4 << 3) + WIRE_LENGTH:
        d.decidedAt = d.decidedAt ? fail() : r.timestamp();
        break;
      case (6 << 3) + WIRE_VARINT:
        d.holdout = r.bool();
        break;
      case (7 << 3) + WIRE_VARINT:
        d.personalized = r.bool();
        break;
      case (8 << 3) + WIRE_LENGTH:
        d.context = joined(d.context, r.doubles());
        break;
      case (9 << 3) + WIRE_LENGTH:
        d.model = r.string();
        break;
      case (10 << 3) + WIRE_VARINT:
        d.explored = r.bool();
        break;
      case (11 << 3) + WIRE_LENGTH:
        d.chosen.push(r.string());
        break;
      case (12 << 3) + WIRE_LENGTH:
        d.chosenGroups.push(r.string());
        break;
      case (14 << 3) + WIRE_LENGTH:
        d.consideredVerdicts = joined(d.consideredVerdicts, r.varints());
        break;
      case (15 << 3) + WIRE_LENGTH:
        d.consideredScores = joined(d.consideredScores, r.doubles());
        break;
      case (16 << 3) + WIRE_LENGTH:
        d.consideredOfferIds = r.string();
        break;
      default:
        fail();
    }
  }
  return d;
}
