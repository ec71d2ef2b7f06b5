import type { Node } from "../ir/node.js";
import { fmt } from "../ir/shape.js";
import { cast } from "./cast.js";
import { arange } from "./creation.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { gather } from "./indexing.js";
import { defineInstruction, type RefValue, type TensorMeta } from "./instruction.js";
import { matmul } from "./matmul.js";
import { concat, pad, reshape, slice } from "./movement.js";
import { sum } from "./reduce.js";
import { add, cmpeq, cos, div, exp, log, max, min, mul, neg, sin, sub } from "./scalar-ops.js";
import { where } from "./where.js";

/**
 * Audio features over the last axis: framing with a window, the real DFT, the mel
 * filterbank, the DCT, and log-mel and MFCC built from them. Each matrix a feature
 * multiplies by (DFT, filterbank, DCT) is computed in the graph from `arange` (constant
 * operands, which the compiler folds once), so the work is a matmul on every target.
 */

type FramesAttrs = { length: number; hop: number; window?: string };
type MelAttrs = { sampleRate: number; bins: number; fMin?: number; fMax?: number };
type DctAttrs = { coefficients: number };
type LogMelAttrs = MelAttrs & { frameLength: number; hop: number; fftSize: number };
type MfccAttrs = LogMelAttrs & DctAttrs;

const WINDOWS = ["hann", "none"];

function lastAxis(name: string, x: TensorMeta): number {
  checkDType(name, x.dtype, "float");
  const n = x.shape[x.shape.length - 1];
  if (n === undefined) throw new InstructionError(name, "needs at least one axis");
  return n;
}

/** Rows of the last axis: calls visit(inputOffset, outputOffset) for every one. */
function forEachRow(
  x: RefValue,
  n: number,
  outWidth: number,
  visit: (from: number, to: number) => void,
): void {
  const rows = n === 0 ? 0 : x.data.length / n;
  for (let r = 0; r < rows; r++) visit(r * n, r * outWidth);
}

/** 2π/N·(n·k mod N): the angle of DFT entry (n, k), exact in int32 before it is a float. */
function dftAngles(n: number, bins: number): Node {
  const time = reshape(arange({ start: 0, step: 1, length: n, dtype: "int32" }), { shape: [n, 1] });
  const freq = reshape(arange({ start: 0, step: 1, length: bins, dtype: "int32" }), { shape: [1, bins] });
  const product = mul(time, freq);
  const wrapped = sub(product, mul(div(product, n), n));
  return mul(cast(wrapped, { dtype: "float32" }), (2 * Math.PI) / n);
}

/** x [..., n] times a constant [n, m] → [..., m]. */
function lastAxisTimes(x: Node, matrix: Node): Node {
  const [n, m] = matrix.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  return reshape(matmul(reshape(x, { shape: [rows, n] }), matrix), { shape: [...lead, m] });
}

function periodicHann(length: number): (i: number) => number {
  return (i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
}

function frameCount(name: string, n: number, length: number, hop: number): number {
  if (!(Number.isInteger(length) && length >= 1 && Number.isInteger(hop) && hop >= 1)) {
    throw new InstructionError(name, `frame length and hop must be integers ≥ 1, got ${length} and ${hop}`);
  }
  if (n < length)
    throw new InstructionError(name, `a signal of ${n} samples is shorter than one frame of ${length}`);
  return 1 + Math.floor((n - length) / hop);
}

export const frames = defineInstruction<FramesAttrs>({
  name: "frames",
  doc: "overlapping frames of the last axis [..., N] → [..., F, length], times a window (hann or none)",
  operands: 1,
  attrs: { length: "int", hop: "int", window: "string?" },
  canonicalize: ([x], a) => {
    frameCount("frames", lastAxis("frames", x!), a.length, a.hop);
    const window = a.window ?? "none";
    if (!WINDOWS.includes(window))
      throw new InstructionError("frames", `window must be one of ${WINDOWS.join(", ")}, got "${window}"`);
    return { length: a.length, hop: a.hop, window };
  },
  ref: ([x], out, { length, hop, window }) => {
    const n = x!.shape[x!.shape.length - 1]!;
    const count = frameCount("frames", n, length, hop);
    const w = window === "hann" ? periodicHann(length) : () => 1;
    forEachRow(x!, n, count * length, (from, to) => {
      for (let f = 0; f < count; f++)
        for (let i = 0; i < length; i++) out.data[to + f * length + i] = x!.data[from + f * hop + i]! * w(i);
    });
  },
  decompose: ([x], { length, hop, window }) => {
    const n = x!.shape[x!.shape.length - 1]!;
    const count = frameCount("frames", n, length, hop);
    const starts = reshape(arange({ start: 0, step: hop, length: count, dtype: "int32" }), {
      shape: [count, 1],
    });
    const offsets = reshape(arange({ start: 0, step: 1, length, dtype: "int32" }), { shape: [1, length] });
    const framed = gather(x!, add(starts, offsets), { axis: x!.shape.length - 1 });
    if (window === "none") return framed;
    const angle = mul(arange({ start: 0, step: 1, length, dtype: "float32" }), (2 * Math.PI) / length);
    return mul(framed, sub(0.5, mul(cos(angle), 0.5)));
  },
});

export const rfft = defineInstruction({
  name: "rfft",
  doc: "DFT of real x [..., N] → [..., ⌊N/2⌋+1, 2] (real and imaginary parts), as a matmul",
  operands: 1,
  canonicalize: ([x], a) => {
    const n = lastAxis("rfft", x!);
    // n·k must stay exact in int32 and the angles in float32.
    if (n < 1 || n > 4096)
      throw new InstructionError("rfft", `the last axis must have 1…4096 samples, got ${fmt(x!.shape)}`);
    return a;
  },
  ref: ([x], out) => {
    const n = x!.shape[x!.shape.length - 1]!;
    const bins = Math.floor(n / 2) + 1;
    forEachRow(x!, n, 2 * bins, (from, to) => {
      for (let k = 0; k < bins; k++) {
        let re = 0;
        let im = 0;
        for (let t = 0; t < n; t++) {
          const angle = (2 * Math.PI * ((t * k) % n)) / n;
          re += x!.data[from + t]! * Math.cos(angle);
          im -= x!.data[from + t]! * Math.sin(angle);
        }
        out.data[to + 2 * k] = re;
        out.data[to + 2 * k + 1] = im;
      }
    });
  },
  decompose: ([x]) => {
    const n = x!.shape[x!.shape.length - 1]!;
    const bins = Math.floor(n / 2) + 1;
    const angles = dftAngles(n, bins);
    const column = (part: Node) =>
      reshape(lastAxisTimes(x!, part), { shape: [...x!.shape.slice(0, -1), bins, 1] });
    return concat(column(cos(angles)), column(neg(sin(angles))), { axis: x!.shape.length });
  },
});

const hzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

function checkMel(name: string, powerBins: number, a: MelAttrs): Required<MelAttrs> {
  const fMin = a.fMin ?? 0;
  const fMax = a.fMax ?? a.sampleRate / 2;
  if (!(a.sampleRate > 0) || !(fMin >= 0 && fMax > fMin && fMax <= a.sampleRate / 2)) {
    throw new InstructionError(
      name,
      `need 0 ≤ fMin < fMax ≤ sampleRate/2, got ${fMin}, ${fMax}, ${a.sampleRate}`,
    );
  }
  if (!(Number.isInteger(a.bins) && a.bins >= 1))
    throw new InstructionError(name, `bins must be ≥ 1, got ${a.bins}`);
  if (powerBins < 2) throw new InstructionError(name, `needs at least 2 frequency bins, got ${powerBins}`);
  return { sampleRate: a.sampleRate, bins: a.bins, fMin, fMax };
}

/** The HTK-style triangular filterbank [K, bins] for K = fftSize/2 + 1 power bins (host, float64). */
function melMatrix(k: number, { sampleRate, bins, fMin, fMax }: Required<MelAttrs>): Float64Array {
  const fft = 2 * (k - 1);
  const lo = hzToMel(fMin);
  const hi = hzToMel(fMax);
  const edges = Array.from({ length: bins + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (bins + 1)));
  const w = new Float64Array(k * bins);
  for (let f = 0; f < k; f++) {
    const hz = (f * sampleRate) / fft;
    for (let m = 0; m < bins; m++) {
      const up = (hz - edges[m]!) / (edges[m + 1]! - edges[m]!);
      const down = (edges[m + 2]! - hz) / (edges[m + 2]! - edges[m + 1]!);
      w[f * bins + m] = Math.max(0, Math.min(up, down));
    }
  }
  return w;
}

function melMatrixNode(k: number, { sampleRate, bins, fMin, fMax }: Required<MelAttrs>): Node {
  const fft = 2 * (k - 1);
  const hz = reshape(arange({ start: 0, step: sampleRate / fft, length: k, dtype: "float32" }), {
    shape: [k, 1],
  });
  const lo = hzToMel(fMin);
  const step = (hzToMel(fMax) - lo) / (bins + 1);
  const mels = arange({ start: lo, step, length: bins + 2, dtype: "float32" });
  // 700·(10^(mel/2595) − 1)
  const edgeHz = reshape(mul(sub(exp(mul(mels, Math.LN10 / 2595)), 1), 700), { shape: [1, bins + 2] });
  const at = (start: number) => slice(edgeHz, { starts: [0, start], ends: [1, start + bins] });
  const [lower, centre, upper] = [at(0), at(1), at(2)];
  const up = div(sub(hz, lower), sub(centre, lower));
  const down = div(sub(upper, hz), sub(upper, centre));
  return max(min(up, down), 0);
}

export const melScale = defineInstruction<MelAttrs>({
  name: "melScale",
  doc: "power spectrum [..., K] → mel bands [..., bins] through HTK triangular filters (K = fftSize/2 + 1)",
  operands: 1,
  attrs: { sampleRate: "float", bins: "int", fMin: "float?", fMax: "float?" },
  canonicalize: ([x], a) => checkMel("melScale", lastAxis("melScale", x!), a),
  ref: ([x], out, attrs) => {
    const k = x!.shape[x!.shape.length - 1]!;
    const w = melMatrix(k, attrs as Required<MelAttrs>);
    const bins = attrs.bins;
    forEachRow(x!, k, bins, (from, to) => {
      for (let m = 0; m < bins; m++) {
        let s = 0;
        for (let f = 0; f < k; f++) s += x!.data[from + f]! * w[f * bins + m]!;
        out.data[to + m] = s;
      }
    });
  },
  decompose: ([x], attrs) =>
    lastAxisTimes(x!, melMatrixNode(x!.shape[x!.shape.length - 1]!, attrs as Required<MelAttrs>)),
});

function checkDct(n: number, coefficients: number): void {
  if (!(Number.isInteger(coefficients) && coefficients >= 1 && coefficients <= n)) {
    throw new InstructionError("dct", `coefficients must be in [1, ${n}], got ${coefficients}`);
  }
}

export const dct = defineInstruction<DctAttrs>({
  name: "dct",
  doc: "orthonormal DCT-II of the last axis [..., M], first `coefficients` terms (SciPy's norm='ortho')",
  operands: 1,
  attrs: { coefficients: "int" },
  canonicalize: ([x], a) => {
    checkDct(lastAxis("dct", x!), a.coefficients);
    return a;
  },
  ref: ([x], out, { coefficients }) => {
    const m = x!.shape[x!.shape.length - 1]!;
    forEachRow(x!, m, coefficients, (from, to) => {
      for (let c = 0; c < coefficients; c++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += x!.data[from + i]! * Math.cos((Math.PI * (i + 0.5) * c) / m);
        out.data[to + c] = s * Math.sqrt((c === 0 ? 1 : 2) / m);
      }
    });
  },
  decompose: ([x], { coefficients }) => {
    const m = x!.shape[x!.shape.length - 1]!;
    const i = reshape(arange({ start: 0.5, step: 1, length: m, dtype: "float32" }), { shape: [m, 1] });
    const c = reshape(arange({ start: 0, step: 1, length: coefficients, dtype: "float32" }), {
      shape: [1, coefficients],
    });
    const scale = where(cmpeq(c, 0), Math.sqrt(1 / m), Math.sqrt(2 / m));
    return lastAxisTimes(x!, mul(cos(mul(mul(i, c), Math.PI / m)), scale));
  },
});

/** What is added to the mel energies before the logarithm, so silence stays finite. */
const LOG_FLOOR = 1e-6;

function checkLogMel(name: string, x: TensorMeta, a: LogMelAttrs): LogMelAttrs {
  const n = lastAxis(name, x);
  frameCount(name, n, a.frameLength, a.hop);
  if (!(Number.isInteger(a.fftSize) && a.fftSize >= a.frameLength && a.fftSize <= 4096)) {
    throw new InstructionError(name, `fftSize must be an integer in [frameLength, 4096], got ${a.fftSize}`);
  }
  return {
    ...checkMel(name, Math.floor(a.fftSize / 2) + 1, a),
    frameLength: a.frameLength,
    hop: a.hop,
    fftSize: a.fftSize,
  };
}

/** The host value of an instruction's reference semantics on one input. */
function refOf(
  inst: { spec: { ref?: (inputs: readonly RefValue[], out: RefValue, attrs: never) => void } },
  x: RefValue,
  shape: readonly number[],
  attrs: object,
): RefValue {
  const out = { shape, dtype: "float32" as const, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) };
  inst.spec.ref!([x], out as unknown as RefValue, attrs as never);
  return out as unknown as RefValue;
}

function logMelRef(x: RefValue, a: LogMelAttrs): RefValue {
  const n = x.shape[x.shape.length - 1]!;
  const lead = x.shape.slice(0, -1);
  const count = frameCount("logMel", n, a.frameLength, a.hop);
  const framed = refOf(frames, x, [...lead, count, a.frameLength], {
    length: a.frameLength,
    hop: a.hop,
    window: "hann",
  });
  const padded = new Float64Array((framed.data.length / a.frameLength) * a.fftSize);
  for (let r = 0; r < framed.data.length / a.frameLength; r++)
    for (let i = 0; i < a.frameLength; i++) padded[r * a.fftSize + i] = framed.data[r * a.frameLength + i]!;
  const bins = Math.floor(a.fftSize / 2) + 1;
  const spectrum = refOf(
    rfft,
    { shape: [...lead, count, a.fftSize], dtype: "float32", data: padded as never },
    [...lead, count, bins, 2],
    {},
  );
  const power = new Float64Array(spectrum.data.length / 2);
  for (let i = 0; i < power.length; i++)
    power[i] = spectrum.data[2 * i]! ** 2 + spectrum.data[2 * i + 1]! ** 2;
  const mel = refOf(
    melScale,
    { shape: [...lead, count, bins], dtype: "float32", data: power as never },
    [...lead, count, a.bins],
    a,
  );
  const out = mel.data as unknown as Float64Array;
  for (let i = 0; i < out.length; i++) out[i] = Math.log(out[i]! + LOG_FLOOR);
  return mel;
}

function logMelNodes(x: Node, a: LogMelAttrs): Node {
  const framed = frames(x, { length: a.frameLength, hop: a.hop, window: "hann" });
  const rank = framed.shape.length;
  const padded =
    a.fftSize === a.frameLength
      ? framed
      : pad(framed, {
          before: new Array<number>(rank).fill(0),
          after: [...new Array<number>(rank - 1).fill(0), a.fftSize - a.frameLength],
        });
  const spectrum = rfft(padded);
  const power = sum(mul(spectrum, spectrum), { axes: [rank], keepdims: false });
  return log(
    add(melScale(power, { sampleRate: a.sampleRate, bins: a.bins, fMin: a.fMin, fMax: a.fMax }), LOG_FLOOR),
  );
}

const LOG_MEL_ATTRS = {
  sampleRate: "float",
  bins: "int",
  fMin: "float?",
  fMax: "float?",
  frameLength: "int",
  hop: "int",
  fftSize: "int",
} as const;

export const logMel = defineInstruction<LogMelAttrs>({
  name: "logMel",
  doc: "log-mel spectrogram of audio [..., N] → [..., frames, bins]: Hann frames, power spectrum, mel filters, log",
  operands: 1,
  attrs: LOG_MEL_ATTRS,
  canonicalize: ([x], a) => checkLogMel("logMel", x!, a),
  ref: ([x], out, a) => {
    out.data.set(logMelRef(x!, a).data);
  },
  decompose: ([x], a) => logMelNodes(x!, a),
});

export const mfcc = defineInstruction<MfccAttrs>({
  name: "mfcc",
  doc: "mel-frequency cepstral coefficients of audio [..., N] → [..., frames, coefficients]: the DCT of the log-mel spectrogram",
  operands: 1,
  attrs: { ...LOG_MEL_ATTRS, coefficients: "int" },
  canonicalize: ([x], a) => {
    const checked = checkLogMel("mfcc", x!, a);
    checkDct(checked.bins, a.coefficients);
    return { ...checked, coefficients: a.coefficients };
  },
  ref: ([x], out, a) => {
    const mel = logMelRef(x!, a);
    out.data.set(refOf(dct, mel, [...mel.shape.slice(0, -1), a.coefficients], a).data);
  },
  decompose: ([x], a) => dct(logMelNodes(x!, a), { coefficients: a.coefficients }),
});
