import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Transition } from './update-audiences.js';

// An AudienceTransition written field by field with protobuf-es's own wire
// writer, byte for byte what `toBinary(AudienceTransitionSchema, ...)` writes
// (fields by number, proto3 defaults left out, both timestamps always set):
// one per membership change, inside the batch, where reflection showed up.
// services/engine/tests/encode-transition.test.ts holds the two equal.

/** The binary `pulse.v1.AudienceTransition` of `t`. */
export function encodeTransition(t: Transition): Uint8Array {
  const w = new BinaryWriter();
  if (t.audienceId !== '') w.tag(1, WireType.LengthDelimited).string(t.audienceId);
  if (t.profileId !== '') w.tag(2, WireType.LengthDelimited).string(t.profileId);
  if (t.entered) w.tag(3, WireType.Varint).bool(true);
  writeTimestamp(w.tag(4, WireType.LengthDelimited).fork(), t.atMs).join();
  if (t.reason !== 0) w.tag(5, WireType.Varint).int32(t.reason);
  if (t.version !== 0) w.tag(6, WireType.Varint).uint32(t.version);
  writeTimestamp(w.tag(7, WireType.LengthDelimited).fork(), t.causedAtMs).join();
  return w.finish();
}

function writeTimestamp(w: BinaryWriter, ms: number): BinaryWriter {
  const { seconds, nanos } = timestampFromMs(ms);
  if (seconds !== 0n) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos !== 0) w.tag(2, WireType.Varint).int32(nanos);
  return w;
}
