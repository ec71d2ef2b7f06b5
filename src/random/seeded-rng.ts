// A seedable host-side pseudo-random generator: xoshiro128** (Blackman & Vigna).
// It lives on the host, not in the tensor graph, and is used for things like choosing
// training batches and sampling tokens. Its whole state is four 32-bit words, so a
// checkpoint can store it as plain JSON numbers and a resumed run draws the same values.

/** The serializable state of a {@link SeededRng}: four unsigned 32-bit words. */
export interface SeededRngState {
  algorithm: "xoshiro128**";
  words: [number, number, number, number];
}

const TWO_POW_32 = 4294967296;
const UINT64_MASK = (1n << 64n) - 1n;

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

// splitmix64 spreads a (possibly tiny, possibly negative) seed over all 128 state bits, as
// the xoshiro authors recommend; BigInt is fine here because it only runs when seeding.
function splitmix64Sequence(seed: bigint, count: number): bigint[] {
  let state = seed & UINT64_MASK;
  const outputs: bigint[] = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & UINT64_MASK;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & UINT64_MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & UINT64_MASK;
    outputs.push(z ^ (z >> 31n));
  }
  return outputs;
}

function isUint32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value < TWO_POW_32;
}

export class SeededRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any finite integer (negative and large values are fine). */
  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isInteger(seed)) {
      throw new Error(`SeededRng: seed must be a finite integer, got ${String(seed)}`);
    }
    const [a, b] = splitmix64Sequence(BigInt(seed), 2);
    this.s0 = Number(a! & 0xffffffffn);
    this.s1 = Number(a! >> 32n);
    this.s2 = Number(b! & 0xffffffffn);
    this.s3 = Number(b! >> 32n);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      // The all-zero state is a fixed point of xoshiro; splitmix64 practically never yields it.
      this.s0 = 1;
    }
  }

  /** Restores a generator from {@link SeededRng.state}; it continues the exact same sequence. */
  static fromState(state: SeededRngState): SeededRng {
    if (state === null || typeof state !== "object" || state.algorithm !== "xoshiro128**") {
      throw new Error('SeededRng.fromState: expected an object with algorithm "xoshiro128**"');
    }
    const words = state.words;
    if (!Array.isArray(words) || words.length !== 4 || !words.every(isUint32)) {
      throw new Error("SeededRng.fromState: words must be four unsigned 32-bit integers");
    }
    if (words.every((w) => w === 0)) {
      throw new Error("SeededRng.fromState: the all-zero state is invalid for xoshiro128**");
    }
    const rng = new SeededRng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = words;
    return rng;
  }

  /** A JSON-safe copy of the full state. */
  state(): SeededRngState {
    return { algorithm: "xoshiro128**", words: [this.s0, this.s1, this.s2, this.s3] };
  }

  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** A uniformly distributed float in [0, 1) with 53 random bits, the full double precision. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniformly distributed integer in [0, n), without modulo bias; n must be in [1, 2^32]. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new Error(`SeededRng.nextInt: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    // Reject draws from the incomplete last block of size n so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }
}
