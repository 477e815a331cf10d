// Protobuf wire writing for the hand encoders (encode-decision-event.ts,
// encode-decide-response.ts). Each method writes what protobuf-es's
// BinaryWriter writes for the same value, so that the hand encodings stay
// byte-identical to `toBinary`.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;

const INITIAL_SCRATCH_BYTES = 16 * 1024;

/**
 * A growable buffer for one message at a time. Reused between calls (the
 * encoders run synchronously), so callers copy out what they keep.
 */
export class ScratchWriter {
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

  /** A double field; only +0 is the default, -0 and NaN are written. */
  double(fieldNo: number, value: number): void {
    if (Object.is(value, 0)) return;
    this.tag(fieldNo, WIRE_FIXED64);
    this.rawDouble(value);
  }

  rawDouble(value: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
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

  /** Raw bytes with no tag or length, e.g. a kept unknown field's data. */
  raw(source: Uint8Array): void {
    this.reserve(source.length);
    this.buf.set(source, this.pos);
    this.pos += source.length;
  }

  /**
   * Starts a length-delimited body whose size is not known yet: keeps one
   * byte for the length and returns the mark that `endLength` takes.
   */
  beginLength(): number {
    this.reserve(1);
    return this.pos++;
  }

  /**
   * Writes the length of the body begun at `mark` and returns it. A body of
   * 128 bytes or more needs a longer varint, so it is moved up to make room.
   */
  endLength(mark: number): number {
    const length = this.pos - mark - 1;
    if (length < 0x80) {
      this.buf[mark] = length;
      return length;
    }
    const extra = varintSize(length) - 1;
    this.reserve(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    this.pos += extra;
    let at = mark;
    let rest = length;
    while (rest > 0x7f) {
      this.buf[at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[at] = rest;
    return length;
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
