/**
 * Counts distinct 32-bit hashes in a range of an array without allocating per
 * call: an open-addressing set in module-level scratch arrays, emptied in O(1)
 * by bumping a generation stamp. Reads are synchronous, so one scratch is safe.
 */

const MIN_SLOTS = 1_024;
// Fibonacci hashing spreads FNV values whose low bits are correlated.
const GOLDEN = 0x9e3779b1;

let slots = new Uint32Array(MIN_SLOTS);
let stamps = new Uint32Array(MIN_SLOTS);
let generation = 0;

function prepare(capacity: number): void {
  if (capacity > slots.length) {
    let size = slots.length;
    while (size < capacity) size *= 2;
    slots = new Uint32Array(size);
    stamps = new Uint32Array(size);
    generation = 0;
  }
  generation++;
  if (generation === 0xffffffff) {
    stamps.fill(0);
    generation = 1;
  }
}

/** Number of distinct values in `hashes[start..end)`. */
export function countDistinct(hashes: readonly number[], start: number, end: number): number {
  if (end <= start) return 0;
  // At most half full keeps probe runs short.
  prepare((end - start) * 2);

  // Locals, not the module bindings, so the loop keeps them in registers.
  const keys = slots;
  const marks = stamps;
  const mark = generation;
  const mask = keys.length - 1;
  const shift = 32 - Math.log2(keys.length);
  let distinct = 0;
  for (let i = start; i < end; i++) {
    const hash = hashes[i] as number;
    let slot = Math.imul(hash, GOLDEN) >>> shift;
    while (marks[slot] === mark && keys[slot] !== hash) slot = (slot + 1) & mask;
    if (marks[slot] !== mark) {
      marks[slot] = mark;
      keys[slot] = hash;
      distinct++;
    }
  }
  return distinct;
}
