import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { fail, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './wire-reader.js';
import type { WireReader } from './wire-reader.js';

// google.protobuf.Struct read straight into the JsonObject that protobuf-es
// gives for a Struct field: a Value becomes its number, string, boolean,
// null, array or object, and a Value with no kind set becomes null.

/**
 * Nested messages (Struct, Value, ListValue) this reader follows. fromBinary
 * stops at a depth of 100 messages; deeper data is left to it, so it throws.
 */
const MAX_DEPTH = 64;

/**
 * Reads the Struct that starts at the reader into `into`: entries whose key
 * is already there replace it, as protobuf merges a map field.
 */
export function readStruct(r: WireReader, into: JsonObject, depth: number): JsonObject {
  if (depth > MAX_DEPTH) fail();
  const outer = r.enter();
  while (r.pos < r.end) {
    if (r.uint31() !== (1 << 3) + WIRE_LENGTH) fail();
    readEntry(r, into, depth);
  }
  r.end = outer;
  return into;
}

/** One map entry of `Struct.fields`; a missing key is '' and a missing value null. */
function readEntry(r: WireReader, into: JsonObject, depth: number): void {
  const outer = r.enter();
  let key = '';
  let value: JsonValue = null;
  while (r.pos < r.end) {
    const tag = r.uint31();
    if (tag === (1 << 3) + WIRE_LENGTH) key = r.string();
    else if (tag === (2 << 3) + WIRE_LENGTH) value = readValue(r, depth + 1);
    else fail();
  }
  r.end = outer;
  // protobuf-es assigns keys with `obj[key] =`, where this one sets the prototype.
  if (key === '__proto__') fail();
  into[key] = value;
}

function readValue(r: WireReader, depth: number): JsonValue {
  if (depth > MAX_DEPTH) fail();
  const outer = r.enter();
  let value: JsonValue = null;
  // A kind set twice is last-one-wins, or a merge for two lists or structs:
  // rare enough to leave to fromBinary.
  let kinds = 0;
  while (r.pos < r.end) {
    const tag = r.uint31();
    kinds++;
    switch (tag) {
      case (1 << 3) + WIRE_VARINT:
        r.uint31();
        value = null;
        break;
      case (2 << 3) + WIRE_FIXED64:
        value = r.double();
        break;
      case (3 << 3) + WIRE_LENGTH:
        value = r.string();
        break;
      case (4 << 3) + WIRE_VARINT:
        value = r.bool();
        break;
      case (5 << 3) + WIRE_LENGTH:
        value = readStruct(r, {}, depth + 1);
        break;
      case (6 << 3) + WIRE_LENGTH:
        value = readList(r, depth + 1);
        break;
      default:
        fail();
    }
  }
  r.end = outer;
  return kinds <= 1 ? value : fail();
}

function readList(r: WireReader, depth: number): JsonValue[] {
  if (depth > MAX_DEPTH) fail();
  const outer = r.enter();
  const values: JsonValue[] = [];
  while (r.pos < r.end) {
    if (r.uint31() !== (1 << 3) + WIRE_LENGTH) fail();
    values.push(readValue(r, depth + 1));
  }
  r.end = outer;
  return values;
}
