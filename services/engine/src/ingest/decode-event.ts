import { fromBinary } from '@bufbuild/protobuf';
import { EventSchema, EventType } from '@pulse/proto';
import type { Event, Identifier } from '@pulse/proto';
import { readDecisionLogged } from '../decision/decode-decision-logged.js';
import { readCommerce } from './decode-commerce.js';
import { readContext } from './decode-context.js';
import { readStruct } from './decode-struct.js';
import { NOT_FAST, WireReader, fail, WIRE_LENGTH, WIRE_VARINT } from './wire-reader.js';

// Every message of the EVENTS stream is decoded here, once per event on the
// ingest hot path, without protobuf-es reflection: customer events (track,
// identify, page, screen, group, alias) and the engine's own DECISION
// events. Anything unexpected (an unknown field, another wire type, a varint
// past what the reader supports, a deletion or merged state, invalid UTF-8)
// is left to `fromBinary`, so the result is always what `fromBinary` gives
// and bad bytes throw as it throws. tests/decode-event.test.ts holds the two
// equal.
//
// Messages are built as literals with every field `create` sets and without
// unset message fields: objects of one fixed shape, which V8 builds and reads
// much faster than copies.

/** Where a Struct field of Event nests: Event is 1. */
const STRUCT_DEPTH = 2;

/** Decodes a binary `Event`, as `fromBinary(EventSchema, data)` does (and throws as it does). */
export function decodeEvent(data: Uint8Array): Event {
  return decodeEventFast(data) ?? fromBinary(EventSchema, data);
}

/** The fast path alone: undefined for a message it leaves to `fromBinary` (tests check its reach). */
export function decodeEventFast(data: Uint8Array): Event | undefined {
  try {
    return readEvent(new WireReader(data));
  } catch (err) {
    if (err !== NOT_FAST) throw err;
    return undefined;
  }
}

/**
 * The top-level message. A singular message field that comes twice merges
 * into the first, as in protobuf: the order workload's payloads are built so.
 */
function readEvent(r: WireReader): Event {
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
      case (3 << 3) + WIRE_LENGTH:
        event.event = r.string();
        break;
      case (4 << 3) + WIRE_LENGTH:
        event.name = r.string();
        break;
      case (5 << 3) + WIRE_LENGTH:
        event.timestamp = r.timestamp(event.timestamp);
        break;
      case (6 << 3) + WIRE_LENGTH:
        event.receivedAt = r.timestamp(event.receivedAt);
        break;
      case (7 << 3) + WIRE_LENGTH:
        event.source = r.string();
        break;
      case (8 << 3) + WIRE_LENGTH:
        event.identifiers.push(readIdentifier(r));
        break;
      case (9 << 3) + WIRE_LENGTH:
        event.previousId = r.string();
        break;
      case (10 << 3) + WIRE_LENGTH:
        event.groupId = r.string();
        break;
      case (11 << 3) + WIRE_LENGTH:
        event.traits = readStruct(r, event.traits ?? {}, STRUCT_DEPTH);
        break;
      case (12 << 3) + WIRE_LENGTH:
        event.properties = readStruct(r, event.properties ?? {}, STRUCT_DEPTH);
        break;
      case (13 << 3) + WIRE_LENGTH:
        event.context = readContext(r, event.context);
        break;
      case (14 << 3) + WIRE_LENGTH:
        event.commerce = readCommerce(r, event.commerce);
        break;
      case (15 << 3) + WIRE_LENGTH:
        event.profileId = r.string();
        break;
      case (17 << 3) + WIRE_LENGTH:
        event.decision = event.decision ? fail() : readDecisionLogged(r);
        break;
      default:
        fail();
    }
  }
  return event;
}

function readIdentifier(r: WireReader): Identifier {
  const identifier: Identifier = { $typeName: 'pulse.v1.Identifier', type: '', value: '' };
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    if (tag === (1 << 3) + WIRE_LENGTH) identifier.type = r.string();
    else if (tag === (2 << 3) + WIRE_LENGTH) identifier.value = r.string();
    else fail();
  }
  r.end = outer;
  return identifier;
}
