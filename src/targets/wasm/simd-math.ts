import { CodeWriter } from "./emitter/code-writer.js";
import type { ModuleBuilder } from "./emitter/module-builder.js";
import { SimdOp, ValType } from "./emitter/opcodes.js";

/**
 * exp, tanh and erf on four float32 lanes, in WebAssembly: calling out to JavaScript for
 * each element costs ~80 ns, these cost a few. Vector loops emit them inline; scalar code
 * calls them as functions of the module on a splatted value. Both are the same
 * instructions, so an element gets the same result whichever path (or thread tile)
 * computes it.
 *
 * exp: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts for exactness), e^r by its
 * degree-6 Taylor polynomial (truncation 6e-8 relative), scaled by 2ⁿ built in the
 * exponent bits (subnormal results included). Below −103.98 the result is 0, above 88.72
 * +∞; NaN stays NaN.
 * tanh: sign(x)·(1 − 2/(e^{2|x|} + 1)), absolute error ~1e-7.
 * erf: Abramowitz & Stegun 7.1.26, absolute error 1.5e-7.
 */
export interface SimdMath {
  readonly exp: number;
  readonly tanh: number;
  readonly erf: number;
}

const V = ValType.v128;

function splat(cw: CodeWriter, value: number) {
  return cw.f32(value).simd(SimdOp.f32x4_splat);
}

function polynomial(cw: CodeWriter, x: number, coefficients: readonly number[]) {
  // Horner, highest degree first.
  splat(cw, coefficients[0]!);
  for (const c of coefficients.slice(1)) {
    cw.get(x).simd(SimdOp.f32x4_mul);
    splat(cw, c).simd(SimdOp.f32x4_add);
  }
}

/** 2^k for integer lanes k in [−75, 64], from the exponent bits: (k + 127) << 23. */
function powerOfTwo(cw: CodeWriter, k: number) {
  cw.get(k).i32(127).simd(SimdOp.i32x4_splat).simd(SimdOp.i32x4_add).i32(23).simd(SimdOp.i32x4_shl);
}

const EXP_MAX = 88.72;
const EXP_MIN = -103.98;
/** 1.5·2²³: adding it rounds |v| < 2²² to an integer, which its low mantissa bits then hold. */
const ROUNDING = 12582912;
const ROUNDING_BITS = 0x4b400000;

/** e^x of the four lanes on the stack, left on the stack. */
function emitExp(cw: CodeWriter): void {
  const [x, n, r, k1, k2] = [cw.local(V), cw.local(V), cw.local(V), cw.local(V), cw.local(V)];
  cw.set(x);
  // n = nearest(x·log2 e) on x clamped to the range where e^x is a nonzero finite float32,
  // by adding 1.5·2²³ (which rounds to an integer, half to even); its low bits are n as an
  // integer. Lanes below the range (a causal mask's −∞) are computed on 0 instead, their
  // result set to 0 below: on the clamped value 2ⁿ's products underflow, which x86 takes a
  // slow microcode path for (exp over −∞ ran 10–15× slower than over 0). NaN stays NaN
  // (pmin keeps its first operand; the comparison is false).
  cw.get(x);
  splat(cw, EXP_MAX).simd(SimdOp.f32x4_pmin);
  cw.get(x);
  splat(cw, EXP_MIN).simd(SimdOp.f32x4_lt).simd(SimdOp.v128_andnot);
  cw.tee(r);
  splat(cw, Math.LOG2E).simd(SimdOp.f32x4_mul);
  splat(cw, ROUNDING).simd(SimdOp.f32x4_add).tee(k2);
  splat(cw, ROUNDING).simd(SimdOp.f32x4_sub).set(n);
  // r = x − n·ln2 (hi + lo parts)
  cw.get(r).get(n);
  splat(cw, 0.693145751953125).simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_sub);
  cw.get(n);
  splat(cw, 1.4286068203094173e-6).simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_sub).set(r);
  // 2ⁿ as two factors 2^(n>>1)·2^(n−(n>>1)), each a normal float, so n can reach 128 and −150
  cw.get(k2).i32(ROUNDING_BITS).simd(SimdOp.i32x4_splat).simd(SimdOp.i32x4_sub);
  cw.tee(k2).i32(1).simd(SimdOp.i32x4_shr_s).set(k1);
  cw.get(k2).get(k1).simd(SimdOp.i32x4_sub).set(k2);
  polynomial(cw, r, [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]);
  powerOfTwo(cw, k1);
  cw.simd(SimdOp.f32x4_mul);
  powerOfTwo(cw, k2);
  cw.simd(SimdOp.f32x4_mul).set(r);
  // x below the range → 0; above → +∞; NaN passes through the arithmetic as NaN
  cw.get(r).get(x);
  splat(cw, EXP_MIN).simd(SimdOp.f32x4_lt).simd(SimdOp.v128_andnot).set(r);
  splat(cw, Number.POSITIVE_INFINITY).get(r).get(x);
  splat(cw, EXP_MAX).simd(SimdOp.f32x4_gt).simd(SimdOp.v128_bitselect);
}

function emitTanh(cw: CodeWriter): void {
  const [x, sign, e] = [cw.local(V), cw.local(V), cw.local(V)];
  cw.set(x);
  // sign bit of x, and e = e^{2|x|}
  cw.get(x).i32(-0x80000000).simd(SimdOp.i32x4_splat).simd(SimdOp.v128_and).set(sign);
  cw.get(x).simd(SimdOp.f32x4_abs);
  splat(cw, 2).simd(SimdOp.f32x4_mul);
  emitExp(cw);
  cw.set(e);
  // 1 − 2/(e + 1), with x's sign
  splat(cw, 1);
  splat(cw, 2).get(e);
  splat(cw, 1).simd(SimdOp.f32x4_add).simd(SimdOp.f32x4_div).simd(SimdOp.f32x4_sub);
  cw.get(sign).simd(SimdOp.v128_or);
}

function emitErf(cw: CodeWriter): void {
  const [x, sign, a, t, y] = [cw.local(V), cw.local(V), cw.local(V), cw.local(V), cw.local(V)];
  cw.set(x);
  cw.get(x).i32(-0x80000000).simd(SimdOp.i32x4_splat).simd(SimdOp.v128_and).set(sign);
  cw.get(x).simd(SimdOp.f32x4_abs).set(a);
  // t = 1 / (1 + p·|x|)
  splat(cw, 1);
  splat(cw, 1).get(a);
  splat(cw, 0.3275911).simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_add).simd(SimdOp.f32x4_div).set(t);
  // y = 1 − t·(a1 + t·(a2 + …))·e^{−x²}
  polynomial(cw, t, [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592]);
  cw.get(t).simd(SimdOp.f32x4_mul);
  cw.get(a).get(a).simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_neg);
  emitExp(cw);
  cw.simd(SimdOp.f32x4_mul).set(y);
  splat(cw, 1).get(y).simd(SimdOp.f32x4_sub);
  cw.get(sign).simd(SimdOp.v128_or);
}

const EMITTERS: Record<keyof SimdMath, (cw: CodeWriter) => void> = {
  exp: emitExp,
  tanh: emitTanh,
  erf: emitErf,
};

/**
 * Emits `name` inline on the four lanes on the stack: what vector loops do, since a call
 * per four lanes costs as much as the arithmetic (V8 spills the loop's vector registers
 * around it). The same instructions as the function, so the same bits.
 */
export function emitSimdMath(cw: CodeWriter, name: keyof SimdMath): void {
  EMITTERS[name](cw);
}

export function addSimdMath(builder: ModuleBuilder): SimdMath {
  const build = (name: keyof SimdMath) => {
    const cw = new CodeWriter(1);
    cw.get(0);
    emitSimdMath(cw, name);
    return builder.addFunction([V], [V], cw);
  };
  return { exp: build("exp"), tanh: build("tanh"), erf: build("erf") };
}
