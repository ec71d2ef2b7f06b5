/**
 * An open-addressing hash set of fixed-width int32 keys (the token ids of one n-gram order).
 *
 * Entries are numbered 0, 1, 2, … in insertion order and their keys are stored densely in
 * one Int32Array, so callers keep per-entry values in parallel typed-array columns indexed
 * by entry number. The slot array maps hash slots to entry number + 1 (0 = empty), with
 * linear probing. No JS object or Map entry exists per n-gram.
 */
export class NgramTable {
  /** Number of ids in each key (the n-gram order). */
  readonly width: number;
  /** Number of entries. */
  size = 0;
  /** Keys of all entries: entry e occupies `keys[e * width .. (e + 1) * width)`. */
  keys: Int32Array;
  private slots: Int32Array;
  private mask: number;

  constructor(width: number, expectedEntries = 1024) {
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`key width must be a positive integer`);
    this.width = width;
    let capacity = 16;
    while (capacity < expectedEntries * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.keys = new Int32Array(Math.max(16, expectedEntries) * width);
  }

  /** The entry whose key is `ids[offset .. offset + width)`, or -1. */
  find(ids: ArrayLike<number>, offset: number): number {
    const width = this.width;
    const keys = this.keys;
    let slot = hashKey(ids, offset, width) & this.mask;
    for (;;) {
      const stored = this.slots[slot]!;
      if (stored === 0) return -1;
      const entry = stored - 1;
      if (keyEquals(keys, entry * width, ids, offset, width)) return entry;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The entry whose key is `ids[offset .. offset + width)`, added at the end if absent. */
  insert(ids: ArrayLike<number>, offset: number): number {
    const width = this.width;
    let slot = hashKey(ids, offset, width) & this.mask;
    for (;;) {
      const stored = this.slots[slot]!;
      if (stored === 0) break;
      const entry = stored - 1;
      if (keyEquals(this.keys, entry * width, ids, offset, width)) return entry;
      slot = (slot + 1) & this.mask;
    }
    const entry = this.size;
    if ((entry + 1) * width > this.keys.length) this.keys = growInt32(this.keys, (entry + 1) * width);
    for (let i = 0; i < width; i++) this.keys[entry * width + i] = ids[offset + i]!;
    this.slots[slot] = entry + 1;
    this.size = entry + 1;
    // Keep the load factor at or under 1/2 so probe sequences stay short.
    if (this.size * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return entry;
  }

  /** Id number `position` of the key of `entry`. */
  idAt(entry: number, position: number): number {
    return this.keys[entry * this.width + position]!;
  }

  private rehash(capacity: number): void {
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = hashKey(this.keys, entry * this.width, this.width) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** murmur3-style mixing of each id, then its 32-bit finalizer: cheap and well spread. */
function hashKey(ids: ArrayLike<number>, offset: number, width: number): number {
  let h = width;
  for (let i = 0; i < width; i++) {
    let k = Math.imul(ids[offset + i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function keyEquals(
  keys: Int32Array,
  at: number,
  ids: ArrayLike<number>,
  offset: number,
  width: number,
): boolean {
  for (let i = 0; i < width; i++) if (keys[at + i] !== ids[offset + i]) return false;
  return true;
}

/** A copy of `array` with room for at least `minLength` elements (capacity doubles). */
export function growInt32(array: Int32Array, minLength: number): Int32Array<ArrayBuffer> {
  let length = Math.max(16, array.length);
  while (length < minLength) length *= 2;
  const grown = new Int32Array(length);
  grown.set(array);
  return grown;
}

/** A copy of `array` with room for at least `minLength` elements (capacity doubles). */
export function growFloat64(array: Float64Array, minLength: number): Float64Array<ArrayBuffer> {
  let length = Math.max(16, array.length);
  while (length < minLength) length *= 2;
  const grown = new Float64Array(length);
  grown.set(array);
  return grown;
}
