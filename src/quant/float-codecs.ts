import type { BlockCodec } from "./block-codec.js";
import { readU16, writeU16 } from "./block-codec.js";
import { bf16Bits, bf16Value, f16Bits, f16Value, f32Bits, f32FromBits } from "./half.js";

/** F32: each value as its four little-endian bytes. */
export const f32Codec: BlockCodec = {
  blockSize: 1,
  blockBytes: 4,
  encode(src, at, dst, out) {
    const u = f32Bits(src[at]!);
    dst[out] = u & 0xff;
    dst[out + 1] = (u >>> 8) & 0xff;
    dst[out + 2] = (u >>> 16) & 0xff;
    dst[out + 3] = u >>> 24;
  },
  decode(src, at, dst, out) {
    dst[out] = f32FromBits(src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16) | (src[at + 3]! << 24));
  },
};

/** F16: IEEE binary16, rounded to nearest even. */
export const f16Codec: BlockCodec = {
  blockSize: 1,
  blockBytes: 2,
  encode: (src, at, dst, out) => writeU16(dst, out, f16Bits(src[at]!)),
  decode(src, at, dst, out) {
    dst[out] = f16Value(readU16(src, at));
  },
};

/** BF16: the top half of a float32, rounded to nearest even. */
export const bf16Codec: BlockCodec = {
  blockSize: 1,
  blockBytes: 2,
  encode: (src, at, dst, out) => writeU16(dst, out, bf16Bits(src[at]!)),
  decode(src, at, dst, out) {
    dst[out] = bf16Value(readU16(src, at));
  },
};
