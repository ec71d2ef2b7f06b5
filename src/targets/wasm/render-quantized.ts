import type { InstructionKernel } from "../../compiler/kernels/kernel-ir.js";
import type { QuantType } from "../../quant/index.js";
import { bindBufferBases } from "./buffer-bases.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import { wasmFeatures } from "./features.js";
import type { RenderContext, RenderedKernel } from "./render-elementwise.js";

/**
 * The wasm target's kernels for quantized weights, as the native target's (see
 * native/quantized-source.ts): weights decoded with SIMD, sixteen values at a time, into
 * four f32x4 registers, in the codec's order of operations (so dequantize is bit-identical
 * to it), and multiplied in float32 (activations are not quantized). quantizedMatmul takes
 * the rows of x four at a time and decodes each weight row once per group of four rows:
 * once for token-by-token decoding, M/4 times for a prompt, where the multiply-adds (M per
 * weight) still dominate. Row lengths of the plain float types that are not a multiple of 16
 * run on the reference semantics.
 */

const BLOCKS: Record<QuantType, { values: number; bytes: number }> = {
  F32: { values: 16, bytes: 64 },
  F16: { values: 16, bytes: 32 },
  BF16: { values: 16, bytes: 32 },
  Q8_0: { values: 32, bytes: 34 },
  Q4_0: { values: 32, bytes: 18 },
  Q4_1: { values: 32, bytes: 20 },
  Q5_0: { values: 32, bytes: 22 },
  Q5_1: { values: 32, bytes: 24 },
  Q4_K: { values: 256, bytes: 144 },
  Q5_K: { values: 256, bytes: 176 },
  Q6_K: { values: 256, bytes: 210 },
};

/** 16 bytes, little-endian, of a v128 constant. */
function v128Const(cw: CodeWriter, bytes: readonly number[]): void {
  cw.simd(SimdOp.v128_const);
  cw.bytes.push(...bytes.map((b) => b & 0xff));
}
const splatBytes = (b: number) => Array<number>(16).fill(b);
const f32Lanes = (x: number) => [...new Uint8Array(Float32Array.of(x, x, x, x).buffer)];
const i32Lanes = (x: number) => [...new Uint8Array(Int32Array.of(x, x, x, x).buffer)];

/**
 * Emits the decoding of one type: `setup` reads a block's scales (at the address in local
 * q) into locals, `chunk(c)` sets v[0..3] to values 16c … 16c+15 of the block.
 */
class Decoder {
  readonly v: number[];
  private readonly bytesL: number;
  private readonly wide: number;
  private readonly d: number;
  private readonly m: number;
  private readonly hbits: number;
  /** Per 32-value sub-block (K types) or per 16 (Q6_K): scale and offset. */
  private readonly scales: number[];
  private readonly offsets: number[];
  private readonly half: number;
  private readonly dScalar: number;
  private readonly dminScalar: number;

  constructor(
    private readonly cw: CodeWriter,
    readonly type: QuantType,
    private readonly q: number,
  ) {
    this.v = [0, 1, 2, 3].map(() => cw.local(ValType.v128));
    this.bytesL = cw.local(ValType.v128);
    this.wide = cw.local(ValType.v128);
    this.d = cw.local(ValType.v128);
    this.m = cw.local(ValType.v128);
    this.hbits = cw.local(ValType.v128);
    const count = type === "Q6_K" ? 16 : type.endsWith("_K") ? 8 : 0;
    this.scales = Array.from({ length: count }, () => cw.local(ValType.f32));
    this.offsets = Array.from({ length: type === "Q6_K" ? 0 : count }, () => cw.local(ValType.f32));
    this.half = cw.local(ValType.i32);
    this.dScalar = cw.local(ValType.f32);
    this.dminScalar = cw.local(ValType.f32);
  }

  get chunks(): number {
    return BLOCKS[this.type].values / 16;
  }

  /** The binary16 at q + offset, as f32 (exact): bits moved into place, rescaled by 2^112. */
  private halfAt(offset: number): void {
    const { cw, q, half } = this;
    cw.get(q).mem(Op.i32_load16_u, 1, offset).set(half);
    cw.get(half).i32(0x7fff).op(Op.i32_and).i32(13).op(Op.i32_shl);
    cw.get(half).i32(0x7fff).op(Op.i32_and).i32(13).op(Op.i32_shl).i32(0x7f800000).op(Op.i32_or);
    // exponent 31 (infinity, NaN) keeps an all-ones exponent
    cw.get(half).i32(0x7c00).op(Op.i32_and).i32(0x7c00).op(Op.i32_ne);
    cw.op(Op.select);
    cw.op(Op.f32_reinterpret_i32)
      .f32(2 ** 112)
      .op(Op.f32_mul)
      .op(Op.i32_reinterpret_f32);
    cw.get(half).i32(0x8000).op(Op.i32_and).i32(16).op(Op.i32_shl).op(Op.i32_or);
    cw.op(Op.f32_reinterpret_i32);
  }

  private splatHalf(offset: number, into: number): void {
    this.halfAt(offset);
    this.cw.simd(SimdOp.f32x4_splat).set(into);
  }

  setup(): void {
    const { cw, q, type } = this;
    switch (type) {
      case "F32":
      case "F16":
      case "BF16":
        return;
      case "Q8_0":
      case "Q4_0":
      case "Q5_0":
        this.splatHalf(0, this.d);
        break;
      case "Q4_1":
      case "Q5_1":
        this.splatHalf(0, this.d);
        this.splatHalf(2, this.m);
        break;
      case "Q4_K":
      case "Q5_K": {
        // d·scale and dmin·min of sub-block j: 6-bit fields packed in bytes 4–15.
        const byte = (i: number) => cw.get(q).mem(Op.i32_load8_u, 0, 4 + i);
        this.halfAt(0);
        cw.set(this.dScalar);
        this.halfAt(2);
        cw.set(this.dminScalar);
        for (let j = 0; j < 8; j++) {
          cw.get(this.dScalar);
          if (j < 4) byte(j).i32(63).op(Op.i32_and);
          else {
            byte(j + 4)
              .i32(15)
              .op(Op.i32_and);
            byte(j - 4)
              .i32(6)
              .op(Op.i32_shr_u)
              .i32(4)
              .op(Op.i32_shl)
              .op(Op.i32_or);
          }
          cw.op(Op.f32_convert_i32_s).op(Op.f32_mul).set(this.scales[j]!);
          cw.get(this.dminScalar);
          if (j < 4)
            byte(j + 4)
              .i32(63)
              .op(Op.i32_and);
          else {
            byte(j + 4)
              .i32(4)
              .op(Op.i32_shr_u);
            byte(j).i32(6).op(Op.i32_shr_u).i32(4).op(Op.i32_shl).op(Op.i32_or);
          }
          cw.op(Op.f32_convert_i32_s).op(Op.f32_mul).set(this.offsets[j]!);
        }
        break;
      }
      case "Q6_K":
        this.halfAt(208);
        cw.set(this.dScalar);
        for (let i = 0; i < 16; i++) {
          cw.get(this.dScalar);
          cw.get(q)
            .mem(Op.i32_load8_s, 0, 192 + i)
            .op(Op.f32_convert_i32_s)
            .op(Op.f32_mul)
            .set(this.scales[i]!);
        }
        break;
    }
    if (type === "Q5_0") cw.get(q).simdMemAligned(SimdOp.v128_load32_splat, 0, 2).set(this.hbits);
    if (type === "Q5_1") cw.get(q).simdMemAligned(SimdOp.v128_load32_splat, 0, 4).set(this.hbits);
  }

  /** Pushes 16 bytes at q + offset. */
  private load(offset: number): void {
    this.cw.get(this.q).simdMemAligned(SimdOp.v128_load, 0, offset);
  }

  /** Low (high = false) or high nibbles of the 16 bytes on the stack. */
  private nibbles(high: boolean): void {
    if (high) this.cw.i32(4).simd(SimdOp.i8x16_shr_u);
    else {
      v128Const(this.cw, splatBytes(15));
      this.cw.simd(SimdOp.v128_and);
    }
  }

  /** Bytes on the stack (unsigned or signed) widened to four f32x4 in v. */
  private widen(signed: boolean): void {
    const { cw, v, bytesL, wide } = this;
    const [lo16, hi16, lo32, hi32] = signed
      ? [
          SimdOp.i16x8_extend_low_i8x16_s,
          SimdOp.i16x8_extend_high_i8x16_s,
          SimdOp.i32x4_extend_low_i16x8_s,
          SimdOp.i32x4_extend_high_i16x8_s,
        ]
      : [
          SimdOp.i16x8_extend_low_i8x16_u,
          SimdOp.i16x8_extend_high_i8x16_u,
          SimdOp.i32x4_extend_low_i16x8_u,
          SimdOp.i32x4_extend_high_i16x8_u,
        ];
    cw.tee(bytesL).simd(lo16).tee(wide).simd(lo32).simd(SimdOp.f32x4_convert_i32x4_s).set(v[0]!);
    cw.get(wide).simd(hi32).simd(SimdOp.f32x4_convert_i32x4_s).set(v[1]!);
    cw.get(bytesL).simd(hi16).tee(wide).simd(lo32).simd(SimdOp.f32x4_convert_i32x4_s).set(v[2]!);
    cw.get(wide).simd(hi32).simd(SimdOp.f32x4_convert_i32x4_s).set(v[3]!);
  }

  /** v = (v − offset)·d, the codec's order for the symmetric types. */
  private centred(offset: number, d: () => void): void {
    for (const vi of this.v) {
      this.cw.get(vi);
      v128Const(this.cw, f32Lanes(offset));
      this.cw.simd(SimdOp.f32x4_sub);
      d();
      this.cw.simd(SimdOp.f32x4_mul).set(vi);
    }
  }

  /** v = v·d + m (m negated first when `minus`). */
  private affine(d: () => void, m: () => void, minus = false): void {
    for (const vi of this.v) {
      this.cw.get(vi);
      d();
      this.cw.simd(SimdOp.f32x4_mul);
      m();
      this.cw.simd(minus ? SimdOp.f32x4_sub : SimdOp.f32x4_add).set(vi);
    }
  }

  /** The fifth bits of 16 values from the qh word's bytes `first` and `first + 1`, as 0 or 16. */
  private fifthBits(first: number): void {
    const { cw } = this;
    v128Const(cw, splatBytes(16));
    cw.get(this.hbits);
    v128Const(cw, [...Array<number>(8).fill(first), ...Array<number>(8).fill(first + 1)]);
    cw.simd(SimdOp.i8x16_swizzle);
    v128Const(cw, [1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128]);
    cw.simd(SimdOp.v128_and);
    v128Const(cw, splatBytes(0));
    cw.simd(SimdOp.i8x16_eq).simd(SimdOp.v128_andnot);
  }

  chunk(c: number): void {
    const { cw, type, v } = this;
    const splatLocal = (local: number) => () => cw.get(local).simd(SimdOp.f32x4_splat);
    switch (type) {
      case "F32":
        v.forEach((vi, i) => {
          this.load(16 * i);
          cw.set(vi);
        });
        return;
      case "F16":
      case "BF16":
        for (let p = 0; p < 2; p++) {
          this.load(16 * p);
          cw.tee(this.wide).simd(SimdOp.i32x4_extend_low_i16x8_u);
          this.float16(type, v[2 * p]!);
          cw.get(this.wide).simd(SimdOp.i32x4_extend_high_i16x8_u);
          this.float16(type, v[2 * p + 1]!);
        }
        return;
      case "Q8_0":
        this.load(2 + 16 * c);
        this.widen(true);
        for (const vi of v) cw.get(vi).get(this.d).simd(SimdOp.f32x4_mul).set(vi);
        return;
      case "Q4_0":
      case "Q4_1":
        this.load(type === "Q4_0" ? 2 : 4);
        this.nibbles(c === 1);
        this.widen(false);
        if (type === "Q4_0") this.centred(8, () => cw.get(this.d));
        else
          this.affine(
            () => cw.get(this.d),
            () => cw.get(this.m),
          );
        return;
      case "Q5_0":
      case "Q5_1": {
        this.load(type === "Q5_0" ? 6 : 8);
        this.nibbles(c === 1);
        this.fifthBits(2 * c);
        cw.simd(SimdOp.v128_or);
        this.widen(false);
        if (type === "Q5_0") this.centred(16, () => cw.get(this.d));
        else
          this.affine(
            () => cw.get(this.d),
            () => cw.get(this.m),
          );
        return;
      }
      case "Q4_K":
      case "Q5_K": {
        const j = c >> 1;
        const h = c & 1;
        this.load((type === "Q4_K" ? 16 : 48) + 32 * (j >> 1) + 16 * h);
        this.nibbles(j % 2 === 1);
        if (type === "Q5_K") {
          // The fifth bit of value l of sub-block j is bit j of qh[l] (bytes 16 … 47).
          this.load(16 + 16 * h);
          cw.i32(j).simd(SimdOp.i8x16_shr_u);
          v128Const(cw, splatBytes(1));
          cw.simd(SimdOp.v128_and).i32(4).simd(SimdOp.i8x16_shl).simd(SimdOp.v128_or);
        }
        this.widen(false);
        this.affine(splatLocal(this.scales[j]!), splatLocal(this.offsets[j]!), true);
        return;
      }
      case "Q6_K": {
        // Values 16c…: half n of 128, quarter k of 32, l = 16h…16h+15 within it: the low
        // (k < 2) or high nibble of ql[l + 32·(k & 1)], bits 2k, 2k+1 of qh[l].
        const n = c >> 3;
        const k = (c >> 1) & 3;
        const h = c & 1;
        this.load(64 * n + 32 * (k & 1) + 16 * h);
        this.nibbles(k >= 2);
        this.load(128 + 32 * n + 16 * h);
        if (k) cw.i32(2 * k).simd(SimdOp.i8x16_shr_u);
        v128Const(cw, splatBytes(3));
        cw.simd(SimdOp.v128_and).i32(4).simd(SimdOp.i8x16_shl).simd(SimdOp.v128_or);
        this.widen(false);
        this.centred(32, splatLocal(this.scales[8 * n + 2 * k + h]!));
        return;
      }
    }
  }

  /** The i32x4 of 16-bit patterns on the stack as floats, into `into`. */
  private float16(type: "F16" | "BF16", into: number): void {
    const { cw, bytesL } = this;
    if (type === "BF16") {
      cw.i32(16).simd(SimdOp.i32x4_shl).set(into);
      return;
    }
    // As halfAt, four lanes at a time.
    cw.tee(bytesL);
    v128Const(cw, i32Lanes(0x7fff));
    cw.simd(SimdOp.v128_and).i32(13).simd(SimdOp.i32x4_shl);
    cw.get(bytesL);
    v128Const(cw, i32Lanes(0x7c00));
    cw.simd(SimdOp.v128_and);
    v128Const(cw, i32Lanes(0x7c00));
    cw.simd(SimdOp.i32x4_eq);
    v128Const(cw, i32Lanes(0x7f800000));
    cw.simd(SimdOp.v128_and).simd(SimdOp.v128_or);
    v128Const(cw, f32Lanes(2 ** 112));
    cw.simd(SimdOp.f32x4_mul);
    cw.get(bytesL);
    v128Const(cw, i32Lanes(0x8000));
    cw.simd(SimdOp.v128_and).i32(16).simd(SimdOp.i32x4_shl).simd(SimdOp.v128_or).set(into);
  }
}

/** Address (i32) of a buffer's first byte: its base plus its offset. */
function bufferAddress(cw: CodeWriter, ctx: RenderContext, baseOf: (b: number) => number, buffer: number) {
  const local = cw.local(ValType.i32);
  cw.get(baseOf(buffer)).i32(ctx.bufferOffset(buffer)).op(Op.i32_add).set(local);
  return local;
}

/** Rows (of W, or of the output) per tile unit: at most 64 units, enough to share among threads. */
const rowsPerUnit = (rows: number) => Math.max(1, Math.ceil(rows / 64));

export function renderQuantizedMatmul(
  kernel: InstructionKernel,
  ctx: RenderContext,
): RenderedKernel | undefined {
  const type = kernel.attrs.type as QuantType;
  const [xBuf, wBuf] = kernel.inputs as [number, number];
  const xShape = kernel.inputShapes[0]!;
  const [N, rowBytes] = kernel.inputShapes[1] as [number, number];
  const K = xShape[xShape.length - 1]!;
  const M = kernel.shape.reduce((a, b) => a * b, 1) / Math.max(N, 1);
  const block = BLOCKS[type];
  if (M * N === 0 || K % block.values !== 0) return undefined;
  const cw = new CodeWriter(3);
  const baseOf = bindBufferBases(cw, ctx, [xBuf, wBuf]);
  const x = bufferAddress(cw, ctx, baseOf, xBuf);
  const w = bufferAddress(cw, ctx, baseOf, wBuf);
  const out = bufferAddress(cw, ctx, baseOf, kernel.out);
  const [u, n, nEnd, m, q, xp, b] = Array.from({ length: 7 }, () => cw.local(ValType.i32));
  const decoder = new Decoder(cw, type, q);
  const acc = Array.from({ length: 4 }, () => [0, 1, 2, 3].map(() => cw.local(ValType.v128)));
  const perUnit = rowsPerUnit(N);
  const blocks = K / block.values;
  const fma = wasmFeatures.relaxedSimd;

  /** Rows m … m+rows−1 of x times weight row n, into out. */
  const group = (rows: number) => {
    const chains = rows === 1 ? 4 : rows === 4 ? 1 : 2;
    for (let r = 0; r < rows; r++)
      for (let a = 0; a < chains; a++) cw.f32(0).simd(SimdOp.f32x4_splat).set(acc[r]![a]!);
    cw.get(w).get(n).i32(rowBytes).op(Op.i32_mul).op(Op.i32_add).set(q);
    cw.get(x)
      .get(m)
      .i32(4 * K)
      .op(Op.i32_mul)
      .op(Op.i32_add)
      .set(xp);
    cw.forLoop(
      b,
      () => cw.i32(0),
      () => cw.i32(blocks),
      1,
      () => {
        decoder.setup();
        for (let c = 0; c < decoder.chunks; c++) {
          decoder.chunk(c);
          for (let r = 0; r < rows; r++) {
            for (let i = 0; i < 4; i++) {
              const a = acc[r]![i % chains]!;
              const xAt = 4 * (r * K + 16 * c + 4 * i);
              if (fma) {
                cw.get(decoder.v[i]!).get(xp).simdMemAligned(SimdOp.v128_load, 0, xAt).get(a);
                cw.simd(SimdOp.f32x4_relaxed_madd).set(a);
              } else {
                cw.get(a).get(decoder.v[i]!).get(xp).simdMemAligned(SimdOp.v128_load, 0, xAt);
                cw.simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_add).set(a);
              }
            }
          }
        }
        cw.get(q).i32(block.bytes).op(Op.i32_add).set(q);
        cw.get(xp)
          .i32(4 * block.values)
          .op(Op.i32_add)
          .set(xp);
      },
    );
    for (let r = 0; r < rows; r++) {
      // out[m + r, n] = the lanes of the accumulators, summed
      cw.get(out)
        .get(m)
        .i32(r)
        .op(Op.i32_add)
        .i32(N)
        .op(Op.i32_mul)
        .get(n)
        .op(Op.i32_add)
        .i32(2)
        .op(Op.i32_shl);
      cw.op(Op.i32_add);
      const [a0, ...rest] = acc[r]!.slice(0, chains) as [number, ...number[]];
      cw.get(a0);
      for (const a of rest) cw.get(a).simd(SimdOp.f32x4_add);
      const sum = cw.local(ValType.v128);
      cw.set(sum);
      cw.get(sum)
        .lane(SimdOp.f32x4_extract_lane, 0)
        .get(sum)
        .lane(SimdOp.f32x4_extract_lane, 1)
        .op(Op.f32_add);
      cw.get(sum)
        .lane(SimdOp.f32x4_extract_lane, 2)
        .get(sum)
        .lane(SimdOp.f32x4_extract_lane, 3)
        .op(Op.f32_add);
      cw.op(Op.f32_add).mem(Op.f32_store, 2, 0);
    }
  };

  cw.forLoop(
    u,
    () => cw.get(0),
    () => cw.get(1),
    1,
    () => {
      cw.get(u).i32(perUnit).op(Op.i32_mul).set(n);
      cw.get(n).i32(perUnit).op(Op.i32_add).set(nEnd);
      cw.get(nEnd).i32(N).op(Op.i32_gt_s);
      cw.ifThen(() => cw.i32(N).set(nEnd));
      cw.forLoop(
        n,
        () => cw.get(n),
        () => cw.get(nEnd),
        1,
        () => {
          const full = Math.floor(M / 4) * 4;
          if (full > 0)
            cw.forLoop(
              m,
              () => cw.i32(0),
              () => cw.i32(full),
              4,
              () => group(4),
            );
          if (M % 4) {
            cw.i32(full).set(m);
            group(M % 4);
          }
        },
      );
    },
  );
  return { code: cw, units: Math.ceil(N / perUnit), multiplyAdds: M * N * K };
}

export function renderDequantize(kernel: InstructionKernel, ctx: RenderContext): RenderedKernel | undefined {
  const type = kernel.attrs.type as QuantType;
  const [wBuf] = kernel.inputs as [number];
  const wShape = kernel.inputShapes[0]!;
  const rowBytes = wShape[wShape.length - 1]!;
  const K = kernel.shape[kernel.shape.length - 1]!;
  const rows = kernel.shape.reduce((a, b) => a * b, 1) / Math.max(K, 1);
  const block = BLOCKS[type];
  if (rows * K === 0 || K % block.values !== 0) return undefined;
  const cw = new CodeWriter(3);
  const baseOf = bindBufferBases(cw, ctx, [wBuf]);
  const w = bufferAddress(cw, ctx, baseOf, wBuf);
  const out = bufferAddress(cw, ctx, baseOf, kernel.out);
  const [u, r, rEnd, q, op] = Array.from({ length: 5 }, () => cw.local(ValType.i32));
  const decoder = new Decoder(cw, type, q);
  const perUnit = rowsPerUnit(rows);
  cw.forLoop(
    u,
    () => cw.get(0),
    () => cw.get(1),
    1,
    () => {
      cw.get(u).i32(perUnit).op(Op.i32_mul).set(r);
      cw.get(r).i32(perUnit).op(Op.i32_add).set(rEnd);
      cw.get(rEnd).i32(rows).op(Op.i32_gt_s);
      cw.ifThen(() => cw.i32(rows).set(rEnd));
      // A row's blocks follow each other, and rows follow each other: one pass over all.
      cw.get(w).get(r).i32(rowBytes).op(Op.i32_mul).op(Op.i32_add).set(q);
      cw.get(out)
        .get(r)
        .i32(4 * K)
        .op(Op.i32_mul)
        .op(Op.i32_add)
        .set(op);
      const end = cw.local(ValType.i32);
      cw.get(out)
        .get(rEnd)
        .i32(4 * K)
        .op(Op.i32_mul)
        .op(Op.i32_add)
        .set(end);
      cw.block(() => {
        cw.loop(() => {
          cw.get(op).get(end).op(Op.i32_ge_u).br_if(1);
          decoder.setup();
          for (let c = 0; c < decoder.chunks; c++) {
            decoder.chunk(c);
            decoder.v.forEach((vi, i) => {
              cw.get(op)
                .get(vi)
                .simdMemAligned(SimdOp.v128_store, 0, 64 * c + 16 * i);
            });
          }
          cw.get(q).i32(block.bytes).op(Op.i32_add).set(q);
          cw.get(op)
            .i32(4 * block.values)
            .op(Op.i32_add)
            .set(op);
          cw.br(0);
        });
      });
    },
  );
  return { code: cw, units: Math.ceil(rows / perUnit) };
}
