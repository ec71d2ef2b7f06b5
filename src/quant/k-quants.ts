import { type BlockCodec, clamp, f, nearestInt, readU16, writeU16 } from "./block-codec.js";
import { f16Bits, f16Value } from "./half.js";

/**
 * ggml's "K" types: super-blocks of 256 values in sub-blocks with their own scales.
 *
 *   Q4_K  d, dmin, scales[12], qs[128]                 144 bytes
 *         8 sub-blocks of 32; 6-bit scale and min each; x = d·sc·q − dmin·m, q in 0..15
 *   Q5_K  d, dmin, scales[12], qh[32], qs[128]         176 bytes   as Q4_K, q in 0..31
 *   Q6_K  ql[128], qh[64], int8 scales[16], d          210 bytes
 *         16 sub-blocks of 16; x = d·sc·(q − 32), q in 0..63
 *
 * Q4_K/Q5_K pack the eight 6-bit (scale, min) pairs into 12 bytes: pairs 0–3 in the low six
 * bits of bytes 0–3 (scale) and 4–7 (min); pairs 4–7 in the nibbles of bytes 8–11, their
 * top two bits in the top two bits of bytes 0–7. Quants of 64 values share 32 bytes: the
 * low nibbles are the first 32, the high nibbles the next 32.
 *
 * The encoders are ggml's reference quantizers (llama.cpp's quantize tool without an
 * importance matrix), computed in float32 step by step.
 */
const QK_K = 256;
/** ggml's GROUP_MAX_EPS: a group whose largest magnitude is below this is all zero. */
const GROUP_MAX_EPS = f(1e-15);

/** The (scale, min) pair j of a Q4_K/Q5_K super-block's 12 packed bytes. */
export function scaleMinK4(j: number, q: Uint8Array, at: number): [number, number] {
  if (j < 4) return [q[at + j]! & 63, q[at + j + 4]! & 63];
  return [
    (q[at + j + 4]! & 0x0f) | ((q[at + j - 4]! >>> 6) << 4),
    (q[at + j + 4]! >>> 4) | ((q[at + j]! >>> 6) << 4),
  ];
}

function packScalesK4(scales: readonly number[], mins: readonly number[], dst: Uint8Array, at: number): void {
  for (let j = 0; j < 12; j++) dst[at + j] = 0;
  for (let j = 0; j < 8; j++) {
    const ls = scales[j]!;
    const lm = mins[j]!;
    if (j < 4) {
      dst[at + j] = ls;
      dst[at + j + 4] = lm;
    } else {
      dst[at + j + 4] = (ls & 0x0f) | ((lm & 0x0f) << 4);
      dst[at + j - 4]! |= (ls >>> 4) << 6;
      dst[at + j]! |= (lm >>> 4) << 6;
    }
  }
}

/**
 * Best scale and min for quants 0..nmax of n values with weights: ggml's make_qkx2_quants,
 * a grid search over scales around nmax/(max − min) with a weighted least-squares refit of
 * scale and min at each step. Writes the quants into L; returns [scale, −min].
 */
function fitScaleMin(
  n: number,
  nmax: number,
  x: Float32Array,
  weights: Float32Array,
  L: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
): [number, number] {
  const laux = new Uint8Array(n);
  let min = x[0]!;
  let max = x[0]!;
  let sumW = weights[0]!;
  let sumX = f(sumW * x[0]!);
  for (let i = 1; i < n; i++) {
    if (x[i]! < min) min = x[i]!;
    if (x[i]! > max) max = x[i]!;
    const w = weights[i]!;
    sumW = f(sumW + w);
    sumX = f(sumX + f(w * x[i]!));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, 0, n);
    return [0, -min];
  }
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    L[i] = clamp(nearestInt(f(iscale * f(x[i]! - min))), 0, nmax);
    const diff = f(f(f(scale * L[i]!) + min) - x[i]!);
    bestError = f(bestError + f(weights[i]! * f(diff * diff)));
  }
  for (let is = 0; is <= nstep; is++) {
    // `min` is the best fit so far, as in ggml: later steps search around it.
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(f(iscale * f(x[i]! - min))), 0, nmax);
      laux[i] = l;
      const wl = f(weights[i]! * l);
      sumL = f(sumL + wl);
      sumL2 = f(sumL2 + f(wl * l));
      sumXL = f(sumXL + f(wl * x[i]!));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXL) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXL / sumL2);
      }
      let error = 0;
      for (let i = 0; i < n; i++) {
        const diff = f(f(f(thisScale * laux[i]!) + thisMin) - x[i]!);
        error = f(error + f(weights[i]! * f(diff * diff)));
      }
      if (error < bestError) {
        L.set(laux.subarray(0, n));
        bestError = error;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return [scale, -min];
}

/**
 * Best symmetric scale for quants −nmax..nmax−1 weighted by x²: ggml's make_qx_quants
 * (rmse_type 1), trying 18 scales around nmax/max. Writes quants + nmax into L.
 */
function fitScale(n: number, nmax: number, x: Float32Array, L: Int8Array): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[i]!);
    if (ax > amax) {
      amax = ax;
      max = x[i]!;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  const quant = (iscale: number, i: number) => clamp(nearestInt(f(iscale * x[i]!)), -nmax, nmax - 1);
  const sums = (iscale: number): [number, number] => {
    let sumLX = 0;
    let sumL2 = 0;
    for (let i = 0; i < n; i++) {
      const l = quant(iscale, i);
      const w = f(x[i]! * x[i]!);
      sumLX = f(sumLX + f(f(w * x[i]!) * l));
      sumL2 = f(sumL2 + f(f(w * l) * l));
    }
    return [sumLX, sumL2];
  };
  let iscale = f(-nmax / max);
  for (let i = 0; i < n; i++) L[i] = quant(iscale, i) + nmax;
  let [sumLX, sumL2] = sums(iscale);
  let scale = sumL2 ? f(sumLX / sumL2) : 0;
  let best = f(scale * sumLX);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f(-f(nmax + f(f(0.1) * is)) / max);
    [sumLX, sumL2] = sums(iscale);
    if (sumL2 > 0 && f(sumLX * sumLX) > f(best * sumL2)) {
      for (let i = 0; i < n; i++) L[i] = quant(iscale, i) + nmax;
      scale = f(sumLX / sumL2);
      best = f(scale * sumLX);
    }
  }
  return scale;
}

/**
 * Q4_K and Q5_K share everything but the quant width: per sub-block of 32 a weighted fit,
 * then the eight scales and mins quantized to 6 bits against the largest of each, then the
 * values re-quantized with the scales as stored.
 */
function encodeK4Family(
  bits: 4 | 5,
  src: Float32Array,
  at: number,
  dst: Uint8Array,
  out: number,
  L: Uint8Array,
): void {
  const nmax = (1 << bits) - 1;
  const [rmin, nstep] = bits === 4 ? [-1, 20] : [-0.5, 15];
  const scales = new Float32Array(8);
  const mins = new Float32Array(8);
  const weights = new Float32Array(32);
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    const x = src.subarray(at + 32 * j, at + 32 * j + 32);
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = f(sumX2 + f(x[l]! * x[l]!));
    const avX = f(Math.sqrt(f(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = f(avX + Math.abs(x[l]!));
    const [scale, min] = fitScaleMin(32, nmax, x, weights, L.subarray(32 * j), rmin, f(0.1), nstep);
    scales[j] = scale;
    mins[j] = min;
    if (scale > maxScale) maxScale = scale;
    if (min > maxMin) maxMin = min;
  }
  const invScale = maxScale > 0 ? f(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? f(63 / maxMin) : 0;
  const ls = Array.from(scales, (s) => Math.min(63, nearestInt(f(invScale * s)) & 0xff));
  const lm = Array.from(mins, (m) => Math.min(63, nearestInt(f(invMin * m)) & 0xff));
  writeU16(dst, out, f16Bits(f(maxScale / 63)));
  writeU16(dst, out + 2, f16Bits(f(maxMin / 63)));
  packScalesK4(ls, lm, dst, out + 4);
  const d = f16Value(readU16(dst, out));
  const dmin = f16Value(readU16(dst, out + 2));
  for (let j = 0; j < 8; j++) {
    const [sc, m] = scaleMinK4(j, dst, out + 4);
    const dj = f(d * sc);
    if (!dj) continue;
    const dm = f(dmin * m);
    for (let i = 0; i < 32; i++) {
      L[32 * j + i] = clamp(nearestInt(f(f(src[at + 32 * j + i]! + dm) / dj)), 0, nmax);
    }
  }
}

const kL = new Uint8Array(QK_K);

export const q4_KCodec: BlockCodec = {
  blockSize: QK_K,
  blockBytes: 144,
  encode(src, at, dst, out) {
    encodeK4Family(4, src, at, dst, out, kL);
    for (let j = 0; j < QK_K; j += 64) {
      for (let l = 0; l < 32; l++) dst[out + 16 + j / 2 + l] = kL[j + l]! | (kL[j + l + 32]! << 4);
    }
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at));
    const dmin = f16Value(readU16(src, at + 2));
    for (let j = 0; j < QK_K / 64; j++) {
      const [sc1, m1] = scaleMinK4(2 * j, src, at + 4);
      const [sc2, m2] = scaleMinK4(2 * j + 1, src, at + 4);
      const d1 = f(d * sc1);
      const min1 = f(dmin * m1);
      const d2 = f(d * sc2);
      const min2 = f(dmin * m2);
      const q = at + 16 + 32 * j;
      const y = out + 64 * j;
      for (let l = 0; l < 32; l++) {
        dst[y + l] = f(f(d1 * (src[q + l]! & 0x0f)) - min1);
        dst[y + 32 + l] = f(f(d2 * (src[q + l]! >>> 4)) - min2);
      }
    }
  },
};

export const q5_KCodec: BlockCodec = {
  blockSize: QK_K,
  blockBytes: 176,
  encode(src, at, dst, out) {
    encodeK4Family(5, src, at, dst, out, kL);
    const qh = out + 16;
    const ql = out + 48;
    dst.fill(0, qh, qh + 32);
    for (let n = 0, m1 = 1, m2 = 2; n < QK_K; n += 64, m1 <<= 2, m2 <<= 2) {
      for (let j = 0; j < 32; j++) {
        let l1 = kL[n + j]!;
        let l2 = kL[n + j + 32]!;
        if (l1 > 15) {
          l1 -= 16;
          dst[qh + j]! |= m1;
        }
        if (l2 > 15) {
          l2 -= 16;
          dst[qh + j]! |= m2;
        }
        dst[ql + n / 2 + j] = l1 | (l2 << 4);
      }
    }
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at));
    const dmin = f16Value(readU16(src, at + 2));
    const qh = at + 16;
    for (let j = 0; j < QK_K / 64; j++) {
      const [sc1, m1] = scaleMinK4(2 * j, src, at + 4);
      const [sc2, m2] = scaleMinK4(2 * j + 1, src, at + 4);
      const d1 = f(d * sc1);
      const min1 = f(dmin * m1);
      const d2 = f(d * sc2);
      const min2 = f(dmin * m2);
      const ql = at + 48 + 32 * j;
      const y = out + 64 * j;
      for (let l = 0; l < 32; l++) {
        const h = src[qh + l]! >>> (2 * j);
        dst[y + l] = f(f(d1 * ((src[ql + l]! & 0x0f) + (h & 1 ? 16 : 0))) - min1);
        dst[y + 32 + l] = f(f(d2 * ((src[ql + l]! >>> 4) + (h & 2 ? 16 : 0))) - min2);
      }
    }
  },
};

const q6L = new Int8Array(QK_K);

export const q6_KCodec: BlockCodec = {
  blockSize: QK_K,
  blockBytes: 210,
  encode(src, at, dst, out) {
    const scales = new Float32Array(16);
    let maxScale = 0;
    let maxAbsScale = 0;
    for (let ib = 0; ib < 16; ib++) {
      const scale = fitScale(16, 32, src.subarray(at + 16 * ib, at + 16 * ib + 16), q6L.subarray(16 * ib));
      scales[ib] = scale;
      if (Math.abs(scale) > maxAbsScale) {
        maxAbsScale = Math.abs(scale);
        maxScale = scale;
      }
    }
    dst.fill(0, out, out + 210);
    if (maxAbsScale < GROUP_MAX_EPS) return;
    const iscale = f(-128 / maxScale);
    writeU16(dst, out + 208, f16Bits(f(1 / iscale)));
    for (let ib = 0; ib < 16; ib++)
      dst[out + 192 + ib] = Math.min(127, nearestInt(f(iscale * scales[ib]!))) & 0xff;
    const d = f16Value(readU16(dst, out + 208));
    for (let j = 0; j < 16; j++) {
      const dj = f(d * ((dst[out + 192 + j]! << 24) >> 24));
      if (!dj) continue;
      for (let i = 0; i < 16; i++) {
        q6L[16 * j + i] = clamp(nearestInt(f(src[at + 16 * j + i]! / dj)), -32, 31) + 32;
      }
    }
    for (let j = 0; j < QK_K; j += 128) {
      const ql = out + j / 2;
      const qh = out + 128 + j / 4;
      for (let l = 0; l < 32; l++) {
        const [a, b, c, e] = [q6L[j + l]!, q6L[j + l + 32]!, q6L[j + l + 64]!, q6L[j + l + 96]!];
        dst[ql + l] = (a & 0x0f) | ((c & 0x0f) << 4);
        dst[ql + l + 32] = (b & 0x0f) | ((e & 0x0f) << 4);
        dst[qh + l] = (a >>> 4) | ((b >>> 4) << 2) | ((c >>> 4) << 4) | ((e >>> 4) << 6);
      }
    }
  },
  decode(src, at, dst, out) {
    const d = f16Value(readU16(src, at + 208));
    for (let n = 0; n < 2; n++) {
      const ql = at + 64 * n;
      const qh = at + 128 + 32 * n;
      const sc = at + 192 + 8 * n;
      const y = out + 128 * n;
      for (let l = 0; l < 32; l++) {
        const is = l >>> 4;
        const h = src[qh + l]!;
        const q1 = ((src[ql + l]! & 0x0f) | ((h & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32]! & 0x0f) | (((h >>> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l]! >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32]! >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
        const s = (k: number) => (src[sc + is + k]! << 24) >> 24;
        dst[y + l] = f(f(d * s(0)) * q1);
        dst[y + l + 32] = f(f(d * s(2)) * q2);
        dst[y + l + 64] = f(f(d * s(4)) * q3);
        dst[y + l + 96] = f(f(d * s(6)) * q4);
      }
    }
  },
};
