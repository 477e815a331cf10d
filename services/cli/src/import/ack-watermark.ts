/**
 * The number of leading records acknowledged without a gap. Requests finish
 * out of order; a range past a gap waits until the gap is filled.
 */
export class AckWatermark {
  #count: number;
  /** Acknowledged ranges past the watermark: first position to length. */
  readonly #ahead = new Map<number, number>();

  constructor(start = 0) {
    this.#count = start;
  }

  /** Records 0 .. count-1 are all acknowledged. */
  get count(): number {
    return this.#count;
  }

  /** Marks `length` records from position `first` acknowledged; true if the watermark moved. */
  acknowledge(first: number, length: number): boolean {
    this.#ahead.set(first, length);
    const before = this.#count;
    for (;;) {
      const next = this.#ahead.get(this.#count);
      if (next === undefined) break;
      this.#ahead.delete(this.#count);
      this.#count += next;
    }
    return this.#count !== before;
  }
}
