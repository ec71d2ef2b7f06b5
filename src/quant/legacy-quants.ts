import { type BlockCodec, f, readU16, roundAway, writeU16 } from "./block-codec.js";
import { f16Bits, f16Value } from "./half.js";

/**
 * ggml's 32-value block types. A block is a binary16 scale d (and for the _1 types a
 * binary16 offset m), then the quants. Nibble j of the 16 packed bytes holds value j
 * (low nibble) and value j + 16 (high nibble); the 5-bit types keep each value's fifth bit
 * in a little-endian uint32 `qh` (bit j for value j).
 *
 *   Q8_0  d, int8 qs[32]                 34 bytes   x = d·q
 *   Q4_0  d, qs[16]                      18 bytes   x = d·(q − 8)
 *   Q4_1  d, m, qs[16]                   20 bytes   x = d·q + m
 *   Q5_0  d, qh[4], qs[16]               22 bytes   x = d·(q − 16)
 *   Q5_1  d, m, qh[4], qs[16]            24 bytes   x = d·q + m
 *
 * The encoders are ggml's reference quantizers (what llama.cpp's quantize tool uses
 * without an importance matrix), computed in float32 step by step.
 */
const QK = 32;

/** The signed value of largest magnitude (the first one, on ties), as ggml picks it. */
function signedAbsMax(src: Float32Array, at: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const v = src[at + j]!;
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

function minMax(src: Float32Array, at: number): [number, number] {
  let min = 3.4028234663852886e38;
  let max = -3.4028234663852886e38;
  for (let j = 0; j < QK; j++) {
    const v = src[at + j]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

function readU32(src: Uint8Array, at: number): number {
  return (src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16) | (src[at + 3]! << 24)) >>> 0;
}

function writeU32(dst: Uint8Array, at: number, v: number): void {
  dst[at] = v & 0xff;
  dst[at + 1] = (v >>> 8) & 0xff;
  dst[at + 2] = (v >>> 16) & 0xff;
  dst[at + 3] = v >>> 24;
}

export const q8_0Codec: BlockCodec = {
  blockSize: QK,
  blockBytes: 34,
  encode(src, at, dst, out) {
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(src[at + j]!));
    const d = f(amax / 127);
    const id = d ? f(1 / d) : 0;
    writeU16(dst, out, f16Bits(d));
    for (let j = 0; j < QK; j++) dst[out + 2 + j] = roundAway(f(src[at + j]! * id)) & 0xff;
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at));
    for (let j = 0; j < QK; j++) dst[out + j] = f(((src[at + 2 + j]! << 24) >> 24) * d);
  },
};

export const q4_0Codec: BlockCodec = {
  blockSize: QK,
  blockBytes: 18,
  encode(src, at, dst, out) {
    const d = f(signedAbsMax(src, at) / -8);
    const id = d ? f(1 / d) : 0;
    writeU16(dst, out, f16Bits(d));
    for (let j = 0; j < QK / 2; j++) {
      const x0 = f(src[at + j]! * id);
      const x1 = f(src[at + QK / 2 + j]! * id);
      const q0 = Math.min(15, Math.trunc(f(x0 + 8.5)));
      const q1 = Math.min(15, Math.trunc(f(x1 + 8.5)));
      dst[out + 2 + j] = q0 | (q1 << 4);
    }
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at));
    for (let j = 0; j < QK / 2; j++) {
      const q = src[at + 2 + j]!;
      dst[out + j] = f(((q & 0x0f) - 8) * d);
      dst[out + j + QK / 2] = f(((q >>> 4) - 8) * d);
    }
  },
};

export const q4_1Codec: BlockCodec = {
  blockSize: QK,
  blockBytes: 20,
  encode(src, at, dst, out) {
    const [min, max] = minMax(src, at);
    const d = f(f(max - min) / 15);
    const id = d ? f(1 / d) : 0;
    writeU16(dst, out, f16Bits(d));
    writeU16(dst, out + 2, f16Bits(min));
    for (let j = 0; j < QK / 2; j++) {
      const x0 = f(f(src[at + j]! - min) * id);
      const x1 = f(f(src[at + QK / 2 + j]! - min) * id);
      const q0 = Math.min(15, Math.trunc(f(x0 + 0.5)));
      const q1 = Math.min(15, Math.trunc(f(x1 + 0.5)));
      dst[out + 4 + j] = q0 | (q1 << 4);
    }
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at));
    const m = f16Value(readU16(src, at + 2));
    for (let j = 0; j < QK / 2; j++) {
      const q = src[at + 4 + j]!;
      dst[out + j] = f(f((q & 0x0f) * d) + m);
      dst[out + j + QK / 2] = f(f((q >>> 4) * d) + m);
    }
  },
};

/** Writes 5-bit quants: low nibbles into qs, fifth bits into the uint32 qh. */
function pack5(q: readonly number[], dst: Uint8Array, qhAt: number, qsAt: number): void {
  let qh = 0;
  for (let j = 0; j < QK / 2; j++) {
    const q0 = q[j]!;
    const q1 = q[j + QK / 2]!;
    dst[qsAt + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
    qh |= ((q0 & 0x10) >>> 4) << j;
    qh |= ((q1 & 0x10) >>> 4) << (j + QK / 2);
  }
  writeU32(dst, qhAt, qh >>> 0);
}

/** Reads the 32 5-bit quants of a block. */
function unpack5(src: Uint8Array, qhAt: number, qsAt: number, q: Int32Array): void {
  const qh = readU32(src, qhAt);
  for (let j = 0; j < QK / 2; j++) {
    const b = src[qsAt + j]!;
    q[j] = (b & 0x0f) | (((qh >>> j) & 1) << 4);
    q[j + QK / 2] = (b >>> 4) | (((qh >>> (j + QK / 2)) & 1) << 4);
  }
}

const quants5 = new Int32Array(QK);

export const q5_0Codec: BlockCodec = {
  blockSize: QK,
  blockBytes: 22,
  encode(src, at, dst, out) {
    const d = f(signedAbsMax(src, at) / -16);
    const id = d ? f(1 / d) : 0;
    writeU16(dst, out, f16Bits(d));
    const q = Array.from({ length: QK }, (_, j) => Math.min(31, Math.trunc(f(f(src[at + j]! * id) + 16.5))));
    pack5(q, dst, out + 2, out + 6);
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at));
    unpack5(src, at + 2, at + 6, quants5);
    for (let j = 0; j < QK; j++) dst[out + j] = f((quants5[j]! - 16) * d);
  },
};

export const q5_1Codec: BlockCodec = {
  blockSize: QK,
  blockBytes: 24,
  encode(src, at, dst, out) {
    const [min, max] = minMax(src, at);
    const d = f(f(max - min) / 31);
    const id = d ? f(1 / d) : 0;
    writeU16(dst, out, f16Bits(d));
    writeU16(dst, out + 2, f16Bits(min));
    // ggml casts to uint8 without clamping: rounding can never pass 31 here.
    const q = Array.from({ length: QK }, (_, j) => Math.trunc(f(f(f(src[at + j]! - min) * id) + 0.5)) & 0xff);
    pack5(q, dst, out + 4, out + 8);
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at));
    const m = f16Value(readU16(src, at + 2));
    unpack5(src, at + 4, at + 8, quants5);
    for (let j = 0; j < QK; j++) dst[out + j] = f(f(quants5[j]! * d) + m);
  },
};
