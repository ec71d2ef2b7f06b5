import { allocHost, type DType, dtypeOfArray, isDType } from "../ir/dtype.js";
import { Node } from "../ir/node.js";
import { checkShape, sizeOf } from "../ir/shape.js";
import * as isa from "../isa/index.js";
import { attachBuffer } from "../runtime/memory.js";
import { flattenNested, type NestedArray } from "./nested.js";
import { Tensor } from "./tensor.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

function finish(t: Tensor, options: CreateOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function checkDTypeOption(dtype: unknown, who: string): DType {
  if (!isDType(dtype)) throw new Error(`${who}: unknown dtype ${JSON.stringify(dtype)}`);
  return dtype;
}

/**
 * A tensor from nested arrays, or from flat data (a typed array or number array) and a
 * shape. The dtype defaults to that of the typed array, else float32 (bool for booleans).
 */
export function tensor(
  values: NestedArray | ArrayLike<number>,
  shapeOrOptions?: readonly number[] | CreateOptions,
  maybeOptions: CreateOptions = {},
): Tensor {
  const options = Array.isArray(shapeOrOptions) ? maybeOptions : ((shapeOrOptions as CreateOptions) ?? {});
  const givenShape = Array.isArray(shapeOrOptions) ? checkShape(shapeOrOptions, "tensor") : undefined;
  let data: ArrayLike<number>;
  let shape: number[];
  let inferred: DType = "float32";
  if (ArrayBuffer.isView(values)) {
    data = values as unknown as ArrayLike<number>;
    inferred = dtypeOfArray(data) ?? "float32";
    shape = givenShape ?? [data.length];
  } else {
    const flat = flattenNested(values as NestedArray);
    data = flat.data;
    shape = givenShape ?? flat.shape;
    if (typeof firstScalar(values as NestedArray) === "boolean") inferred = "bool";
  }
  if (sizeOf(shape) !== data.length) {
    throw new Error(`tensor: ${data.length} values do not fill shape [${shape.join(",")}]`);
  }
  const dtype = options.dtype === undefined ? inferred : checkDTypeOption(options.dtype, "tensor");
  const buffer = allocHost(dtype, data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (dtype === "int32" && !Number.isInteger(v))
      throw new Error(`tensor: ${v} is not an integer (dtype int32)`);
    if (dtype === "uint8" && !(Number.isInteger(v) && v >= 0 && v <= 255))
      throw new Error(`tensor: ${v} is not a byte (dtype uint8)`);
    buffer[i] = v;
  }
  const node = Node.leaf(shape, dtype);
  attachBuffer(node, buffer);
  return finish(new Tensor(node), options);
}

/**
 * A tensor that takes `array` as its storage, without copying: the array must not be
 * changed afterwards. For large values read once into memory (model weights), where a copy
 * would double what loading costs. Float32Array gives float32, Int32Array int32, Uint8Array
 * uint8 (packed quantized rows).
 */
export function adoptArray(array: Float32Array | Int32Array | Uint8Array, shape: readonly number[]): Tensor {
  const checked = checkShape(shape, "adoptArray");
  if (sizeOf(checked) !== array.length) {
    throw new Error(`adoptArray: ${array.length} values do not fill shape [${checked.join(",")}]`);
  }
  const dtype = array instanceof Float32Array ? "float32" : array instanceof Int32Array ? "int32" : "uint8";
  const node = Node.leaf(checked, dtype);
  attachBuffer(node, array);
  return new Tensor(node);
}

function firstScalar(v: NestedArray): number | boolean {
  return Array.isArray(v) ? (v.length ? firstScalar(v[0] as NestedArray) : 0) : (v as number | boolean);
}

export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  const dtype = checkDTypeOption(options.dtype ?? "float32", "full");
  if (Number.isNaN(value) && dtype !== "float32") throw new Error(`full: NaN cannot be stored as ${dtype}`);
  return finish(new Tensor(isa.full({ value, shape: checkShape(shape, "full"), dtype })), options);
}

export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** start, start+step, … below stop (NumPy's arange); `arange(n)` is 0…n−1 as int32. */
export function arange(start: number, stop?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  for (const [name, v] of [
    ["start", start],
    ["stop", stop],
    ["step", step],
  ] as const) {
    if (!Number.isFinite(v)) throw new Error(`arange: ${name} must be finite, got ${v}`);
  }
  if (step === 0) throw new Error("arange: step must not be 0");
  const integral = [start, stop, step].every(Number.isInteger);
  const dtype = checkDTypeOption(options.dtype ?? (integral ? "int32" : "float32"), "arange");
  const length = Math.max(0, Math.ceil((stop - start) / step));
  return finish(new Tensor(isa.arange({ start, step, length, dtype })), options);
}

/** `num` evenly spaced float32 values from start to stop inclusive. */
export function linspace(start: number, stop: number, num: number, options: CreateOptions = {}): Tensor {
  if (!Number.isInteger(num) || num < 0)
    throw new Error(`linspace: num must be a non-negative integer, got ${num}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop))
    throw new Error("linspace: start and stop must be finite");
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  return finish(new Tensor(isa.arange({ start, step, length: num, dtype: "float32" })), options);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, options: CreateOptions = {}): Tensor {
  checkShape([n, m], "eye");
  const dtype = checkDTypeOption(options.dtype ?? "float32", "eye");
  const rows = isa.reshape(isa.arange({ start: 0, step: 1, length: n, dtype: "int32" }), { shape: [n, 1] });
  const cols = isa.reshape(isa.arange({ start: 0, step: 1, length: m, dtype: "int32" }), { shape: [1, m] });
  return finish(new Tensor(isa.cast(isa.cmpeq(rows, cols), { dtype })), options);
}

let nextSeed = 0;

/** Sets the seed that rand/randn/dropout use when not given one. */
export function manualSeed(seed: number): void {
  nextSeed = checkSeed(seed, "manualSeed");
}

export function checkSeed(seed: number, who: string): number {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`${who}: a seed is an integer in [0, 2^32), got ${seed}`);
  }
  return seed;
}

/** A one-element int32 tensor holding a seed's 32 bits, the operand random instructions take. */
export function seedTensor(seed: number | undefined, who: string): Tensor {
  const s = seed === undefined ? nextSeed++ % 2 ** 32 : checkSeed(seed, who);
  const node = Node.leaf([], "int32");
  attachBuffer(node, Int32Array.of(s | 0));
  return new Tensor(node);
}

export interface RandomOptions extends CreateOptions {
  seed?: number;
}

/** Uniform [0, 1) values; the same seed gives the same values on every target. */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const seed = seedTensor(options.seed, "rand");
  return finish(new Tensor(isa.randomUniform(seed.node, { shape: checkShape(shape, "rand") })), options);
}

/** Standard normal values; the same seed gives the same values on every target. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const seed = seedTensor(options.seed, "randn");
  return finish(new Tensor(isa.randomNormal(seed.node, { shape: checkShape(shape, "randn") })), options);
}
