import type { Timestamp } from '@bufbuild/protobuf/wkt';

// The protobuf wire format, read by hand for the ingest fast path
// (decode-event.ts). Every read stays inside `end`, the end of the
// innermost message being read, and anything this reader does not handle
// throws NOT_FAST, so that the caller hands the bytes to `fromBinary`.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;

/** Thrown inside the fast path to hand the message to `fromBinary`. */
export class NotFastPathError extends Error {
  override name = 'NotFastPathError';
}

/** The one instance thrown: no stack is captured per fallback. */
export const NOT_FAST = new NotFastPathError('not a message the fast path reads');

export function fail(): never {
  throw NOT_FAST;
}

// protobuf-es checks UTF-8 in proto3 strings (utf8_validation VERIFY) and
// throws on invalid bytes; a fatal decoder finds the same bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true });

const TWO_POW_32 = 2n ** 32n;

/** Node's Buffer method behind `toString('latin1')`, undocumented but as old as Buffer. */
interface Latin1Slicing {
  latin1Slice?(start: number, end: number): string;
}

/** `toString('latin1', ...)` without its argument checks, a third of a short string's cost. */
const latin1: (buf: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Latin1Slicing).latin1Slice === 'function'
    ? (buf, start, end) => (buf as Latin1Slicing).latin1Slice!(start, end)
    : (buf, start, end) => buf.toString('latin1', start, end);

export class WireReader {
  pos = 0;
  /** The end of the message being read: of the whole buffer, or of a nested one. */
  end: number;
  /** The bytes as a Buffer (same memory), for Node's fast Latin-1 and double reads. */
  readonly buf: Buffer;

  constructor(data: Uint8Array) {
    this.buf = Buffer.isBuffer(data)
      ? data
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.end = data.byteLength;
  }

  /** A varint below 2^31 (anything longer is not ours to read). */
  uint31(): number {
    // Tags and most lengths take one byte.
    const first = this.pos < this.end ? this.buf[this.pos]! : 0x80;
    if (first < 0x80) {
      this.pos++;
      return first;
    }
    let value = 0;
    for (let shift = 0; shift < 31; shift += 7) {
      if (this.pos >= this.end) fail();
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value <= 0x7fffffff ? value : fail();
    }
    return fail();
  }

  /** A full int64 varint (negative values take ten bytes), as protobuf-es gives it. */
  int64(): bigint {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) fail();
      const byte = this.buf[this.pos++]!;
      const bits = byte & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi = bits >> 4;
      } else if (i < 9) hi |= bits << (7 * i - 32);
      else if (byte > 1) fail();
      else hi |= byte << 31;
      if (byte < 0x80) {
        if (hi === 0) return BigInt(lo >>> 0);
        return BigInt.asIntN(64, BigInt(hi >>> 0) * TWO_POW_32 + BigInt(lo >>> 0));
      }
    }
    return fail();
  }

  /** The end of a length-delimited field that starts here. */
  limit(): number {
    const length = this.uint31();
    const end = this.pos + length;
    return end <= this.end ? end : fail();
  }

  /** Narrows the reader to the nested message that starts here; returns the end to restore. */
  enter(): number {
    const outer = this.end;
    this.end = this.limit();
    return outer;
  }

  /**
   * ASCII (ids, names, sources) is its own Latin-1, which Node reads far
   * faster than a TextDecoder call; other text goes through the decoder.
   */
  string(): string {
    const end = this.limit();
    const start = this.pos;
    this.pos = end;
    const { buf } = this;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) return utf8Text(buf.subarray(start, end));
    }
    return latin1(buf, start, end);
  }

  bool(): boolean {
    const value = this.uint31();
    return value === 1 || (value === 0 ? false : fail());
  }

  double(): number {
    const at = this.pos;
    if (at + 8 > this.end) fail();
    this.pos = at + 8;
    return this.buf.readDoubleLE(at);
  }

  doubles(): number[] {
    const end = this.limit();
    if ((end - this.pos) % 8 !== 0) fail();
    const values: number[] = [];
    for (; this.pos < end; this.pos += 8) values.push(this.buf.readDoubleLE(this.pos));
    return values;
  }

  varints(): number[] {
    const outer = this.enter();
    const values: number[] = [];
    while (this.pos < this.end) values.push(this.uint31());
    this.end = outer;
    return values;
  }

  /** A Timestamp, merged into `into` when the field came before (as protobuf merges). */
  timestamp(into: Timestamp | undefined): Timestamp {
    const ts = into ?? { $typeName: 'google.protobuf.Timestamp', seconds: 0n, nanos: 0 };
    const outer = this.enter();
    while (this.pos < this.end) {
      const tag = this.uint31();
      if (tag === (1 << 3) + WIRE_VARINT) ts.seconds = this.int64();
      else if (tag === (2 << 3) + WIRE_VARINT) ts.nanos = this.uint31();
      else fail();
    }
    this.end = outer;
    return ts;
  }
}

function utf8Text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return fail();
  }
}
