import { buildGradients } from "../autodiff/backward.js";
import { allocHost, type DType, type HostArray } from "../ir/dtype.js";
import { withGradMode } from "../ir/grad-mode.js";
import { Node } from "../ir/node.js";
import { normalizeAxis, type Shape, sizeOf } from "../ir/shape.js";
import { toHost, toHostAsync } from "../ir/storage.js";
import * as isa from "../isa/index.js";
import type { Attrs, Instruction } from "../isa/instruction.js";
import { type Explanation, explainNodes } from "../runtime/explain.js";
import { attachBuffer, releaseBuffer } from "../runtime/memory.js";
import { realize } from "../runtime/realize.js";
import type { Target } from "../targets/target.js";
import { formatTensor } from "./format.js";
import { type NestedArray, unflatten } from "./nested.js";

/** A tensor or a number (which becomes a scalar of a matching dtype). */
export type TensorLike = Tensor | number;

const nodeOf = (x: TensorLike): Node | number => (x instanceof Tensor ? x.node : x);

/** Applies any instruction (built-in or user-defined) to tensors and numbers. */
export function call<A extends Attrs>(instruction: Instruction<A>, ...args: (TensorLike | A)[]): Tensor {
  const mapped = args.map((a) => (a instanceof Tensor ? a.node : a)) as (Node | number | A)[];
  return new Tensor(instruction(...mapped));
}

/** While a function is traced (`compile`): the tensors holding values that it reads, by node. */
let leafReads: Map<Node, Tensor> | undefined;

/**
 * Runs `fn`, recording in `reads` every tensor holding a value that it reads: a compiled
 * function reads their values again at each call (a parameter is assigned new ones).
 * @internal
 */
export function recordLeafReads<T>(reads: Map<Node, Tensor>, fn: () => T): T {
  const before = leafReads;
  leafReads = reads;
  try {
    return fn();
  } finally {
    leafReads = before;
  }
}

/**
 * An n-dimensional array. Operations are lazy: each records an instruction in the IR
 * graph, and reading values (`data()`, `dataSync()`, `item()`, printing) computes them.
 */
/** Framing, FFT and mel settings of `logMel` and `mfcc`. */
export interface LogMelOptions {
  sampleRate: number;
  /** Samples per frame (Hann-windowed) and between frame starts. */
  frameLength: number;
  hop: number;
  /** DFT size: frames are zero-padded to it (≥ frameLength). */
  fftSize: number;
  /** Mel bands. */
  bins: number;
  fMin?: number;
  fMax?: number;
}

export class Tensor {
  #node: Node;
  #gradTensor: Tensor | undefined;

  constructor(node: Node) {
    this.#node = node;
  }

  /**
   * The IR node this tensor currently stands for: the engine's handle, left out of the
   * published types (users go through Tensor's methods, `call` and `Tensor.realize`).
   * @internal
   */
  get node(): Node {
    this.#assertAlive();
    const node = this.#node;
    if (leafReads !== undefined && node.op === null && node.buffer !== undefined) leafReads.set(node, this);
    return node;
  }

  get shape(): Shape {
    return this.#node.shape;
  }
  get dtype(): DType {
    return this.#node.dtype;
  }
  get rank(): number {
    return this.#node.shape.length;
  }
  get size(): number {
    return sizeOf(this.#node.shape);
  }
  get isDisposed(): boolean {
    return this.#node.disposed;
  }

  // ——— autograd ———

  get requiresGrad(): boolean {
    return this.#node.requiresGrad;
  }

  /**
   * Marks this tensor as a leaf whose gradient `backward()` fills in. A computed tensor is
   * first realised and becomes a leaf holding its value (the graph that made it is cut).
   */
  set requiresGrad(value: boolean) {
    this.#assertAlive();
    if (value && this.dtype !== "float32")
      throw new Error(`only float32 tensors can require grad, got ${this.dtype}`);
    if (value && !this.#node.isLeaf) {
      realize([this.#node]);
      const leaf = Node.leaf(this.#node.shape, this.#node.dtype);
      attachBuffer(leaf, this.#node.buffer!);
      this.#node = leaf;
    }
    this.#node.requiresGrad = value;
  }

  /** Chainable form of `requiresGrad = true`. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** The accumulated gradient after `backward()`, or undefined. */
  get grad(): Tensor | undefined {
    const g = gradients.get(this.#node);
    if (!g) return undefined;
    if (this.#gradTensor?.node !== g) this.#gradTensor = new Tensor(g);
    return this.#gradTensor;
  }

  set grad(value: Tensor | undefined) {
    if (value === undefined) gradients.delete(this.#node);
    else gradients.set(this.#node, value.node);
  }

  /**
   * Computes the gradient of this scalar with respect to every leaf that requires grad
   * and adds it to their `.grad` (as PyTorch does; set `.grad = undefined` to reset).
   * The gradients are realised together in one program.
   */
  backward(seed?: Tensor): void {
    if (seed === undefined && this.size !== 1) {
      throw new Error(
        `backward: a non-scalar tensor (shape [${this.shape}]) needs an explicit seed gradient`,
      );
    }
    if (!this.requiresGrad)
      throw new Error("backward: this tensor does not depend on any tensor that requires grad");
    const leaves = leavesRequiringGrad(this.node);
    const grads = withGradMode(false, () => buildGradients(this.node, leaves, seed?.node));
    const totals = leaves.map((leaf, i) => {
      const prev = gradients.get(leaf);
      return prev ? withGradMode(false, () => isa.add(prev, grads[i]!)) : grads[i]!;
    });
    realize(totals);
    leaves.forEach((leaf, i) => {
      gradients.set(leaf, totals[i]!);
    });
  }

  /**
   * Computes several tensors in one program (values shared between them are computed
   * once). A training step realises its loss and every updated parameter together.
   */
  static realize(...tensors: Tensor[]): void {
    realize(tensors.map((t) => t.node));
  }

  /**
   * How the compiler and the target would compute these tensors: kernels, fused
   * instructions, arena and a per-kernel time profile. Nothing is realised.
   */
  static explain(tensors: readonly Tensor[], options: { runs?: number; target?: Target } = {}): Explanation {
    return explainNodes(
      tensors.map((t) => t.node),
      options,
    );
  }

  /**
   * Makes this tensor hold `value`'s values, as a leaf: how optimizers update parameters.
   * Keeps `requiresGrad`, clears `.grad`, frees the previous value. Realises `value` if it
   * is pending (realise many at once with `Tensor.realize` first).
   */
  assign(value: Tensor): this {
    this.#assertAlive();
    if (value.shape.join(",") !== this.shape.join(",") || value.dtype !== this.dtype) {
      throw new Error(
        `assign: value is ${value.dtype} [${value.shape}], this tensor is ${this.dtype} [${this.shape}]`,
      );
    }
    realize([value.node]);
    const old = this.#node;
    gradients.delete(old);
    const leaf = Node.leaf(this.shape, this.dtype);
    attachBuffer(leaf, value.node.buffer!);
    leaf.requiresGrad = old.requiresGrad;
    this.#node = leaf;
    // The old value is freed now rather than whenever its node is collected: device memory
    // does not press the garbage collector, and a training loop replaces its parameters
    // every step. A pending computation that still reads the old value fails clearly.
    releaseBuffer(old);
    old.disposed = true;
    return this;
  }

  /** The same values, cut off from the graph (no gradient flows back through it). */
  detach(): Tensor {
    realize([this.node]);
    const leaf = Node.leaf(this.shape, this.dtype);
    attachBuffer(leaf, this.#node.buffer!);
    return new Tensor(leaf);
  }

  // ——— reading values ———

  /**
   * Computes this tensor (if pending) and returns a copy of its values. Works on every
   * target, including WebGPU in a browser, where values come back from the GPU asynchronously.
   */
  async data(): Promise<HostArray> {
    realize([this.node]);
    const out = allocHost(this.dtype, this.size);
    out.set(await toHostAsync(this.#node.buffer!));
    return out;
  }

  /**
   * Synchronous read: on the CPU targets, and on WebGPU in Node (whose device thread can be
   * waited for); where a GPU can only be read asynchronously it throws, saying to use `data()`.
   */
  dataSync(): HostArray {
    realize([this.node]);
    const out = allocHost(this.dtype, this.size);
    out.set(toHost(this.#node.buffer!));
    return out;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new Error(`item: tensor has ${this.size} elements (shape [${this.shape}]), not 1`);
    return this.dataSync()[0]!;
  }

  /** Values as nested JS arrays (a number for a scalar). */
  toArray(): NestedArray {
    return unflatten(this.dataSync(), this.shape);
  }

  toString(): string {
    if (this.isDisposed) return `tensor(<disposed>, shape=[${this.shape}], dtype=${this.dtype})`;
    return formatTensor(this.dataSync(), this.shape, this.dtype);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Frees this tensor's buffer now. Using the tensor afterwards is an error. */
  dispose(): void {
    if (this.#node.disposed) return;
    releaseBuffer(this.#node);
    gradients.delete(this.#node);
    this.#node.disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #assertAlive() {
    if (this.#node.disposed)
      throw new Error(`this tensor (shape [${this.shape}], ${this.dtype}) was disposed`);
  }

  // ——— elementwise arithmetic (NumPy broadcasting) ———

  add(other: TensorLike): Tensor {
    return new Tensor(isa.add(this.node, nodeOf(other)));
  }
  sub(other: TensorLike): Tensor {
    return new Tensor(isa.sub(this.node, nodeOf(other)));
  }
  mul(other: TensorLike): Tensor {
    return new Tensor(isa.mul(this.node, nodeOf(other)));
  }
  div(other: TensorLike): Tensor {
    return new Tensor(isa.div(this.node, nodeOf(other)));
  }
  pow(other: TensorLike): Tensor {
    return new Tensor(isa.pow(this.node, nodeOf(other)));
  }
  maximum(other: TensorLike): Tensor {
    return new Tensor(isa.max(this.node, nodeOf(other)));
  }
  minimum(other: TensorLike): Tensor {
    return new Tensor(isa.min(this.node, nodeOf(other)));
  }
  neg(): Tensor {
    return new Tensor(isa.neg(this.node));
  }
  recip(): Tensor {
    return new Tensor(isa.recip(this.node));
  }
  sqrt(): Tensor {
    return new Tensor(isa.sqrt(this.node));
  }
  square(): Tensor {
    return this.mul(this);
  }
  exp(): Tensor {
    return new Tensor(isa.exp(this.node));
  }
  log(): Tensor {
    return new Tensor(isa.log(this.node));
  }
  sin(): Tensor {
    return new Tensor(isa.sin(this.node));
  }
  cos(): Tensor {
    return new Tensor(isa.cos(this.node));
  }
  tanh(): Tensor {
    return new Tensor(isa.tanh(this.node));
  }
  erf(): Tensor {
    return new Tensor(isa.erf(this.node));
  }
  abs(): Tensor {
    return new Tensor(isa.abs(this.node));
  }
  cast(dtype: DType): Tensor {
    return new Tensor(isa.cast(this.node, { dtype }));
  }

  // ——— comparisons (bool results) ———

  lt(other: TensorLike): Tensor {
    return new Tensor(isa.cmplt(this.node, nodeOf(other)));
  }
  gt(other: TensorLike): Tensor {
    return new Tensor(isa.cmplt(nodeOf(other), this.node));
  }
  eq(other: TensorLike): Tensor {
    return new Tensor(isa.cmpeq(this.node, nodeOf(other)));
  }

  // ——— activations ———

  relu(): Tensor {
    return new Tensor(isa.relu(this.node));
  }
  sigmoid(): Tensor {
    return new Tensor(isa.sigmoid(this.node));
  }
  silu(): Tensor {
    return new Tensor(isa.silu(this.node));
  }
  gelu(approximate: "none" | "tanh" = "none"): Tensor {
    return new Tensor(isa.gelu(this.node, { approximate }));
  }
  softmax(axis = -1): Tensor {
    return new Tensor(isa.softmax(this.node, { axis }));
  }
  logSoftmax(axis = -1): Tensor {
    return new Tensor(isa.logSoftmax(this.node, { axis }));
  }

  // ——— reductions (axes omitted = all) ———

  sum(axes?: number | readonly number[], keepdims = false): Tensor {
    return new Tensor(isa.sum(this.node, { axes: axesList(axes), keepdims }));
  }
  max(axes?: number | readonly number[], keepdims = false): Tensor {
    return new Tensor(isa.reduceMax(this.node, { axes: axesList(axes), keepdims }));
  }
  min(axes?: number | readonly number[], keepdims = false): Tensor {
    return this.neg().max(axes, keepdims).neg();
  }
  mean(axes?: number | readonly number[], keepdims = false): Tensor {
    return new Tensor(isa.mean(this.node, { axes: axesList(axes), keepdims }));
  }
  variance(axes?: number | readonly number[], keepdims = false, correction = 0): Tensor {
    return new Tensor(isa.variance(this.node, { axes: axesList(axes), keepdims, correction }));
  }
  logsumexp(axes?: number | readonly number[], keepdims = false): Tensor {
    return new Tensor(isa.logsumexp(this.node, { axes: axesList(axes), keepdims }));
  }
  argmax(axis = -1, keepdims = false): Tensor {
    return new Tensor(isa.argmax(this.node, { axis, keepdims }));
  }

  // ——— movement ———

  reshape(shape: readonly number[]): Tensor {
    return new Tensor(isa.reshape(this.node, { shape }));
  }
  flatten(): Tensor {
    return this.reshape([this.size]);
  }
  permute(axes: readonly number[]): Tensor {
    return new Tensor(isa.permute(this.node, { axes }));
  }
  /** Swaps two axes (the last two by default). */
  transpose(a = -2, b = -1): Tensor {
    const axes = Array.from({ length: this.rank }, (_, i) => i);
    const [i, j] = [normalizeAxis(a, this.rank, "transpose"), normalizeAxis(b, this.rank, "transpose")];
    [axes[i], axes[j]] = [axes[j]!, axes[i]!];
    return this.permute(axes);
  }
  expand(shape: readonly number[]): Tensor {
    return new Tensor(isa.expand(this.node, { shape }));
  }
  /** Adds a size-1 axis at `axis`. */
  unsqueeze(axis: number): Tensor {
    const a = normalizeAxis(axis, this.rank + 1, "unsqueeze");
    return this.reshape([...this.shape.slice(0, a), 1, ...this.shape.slice(a)]);
  }
  /** Removes size-1 axes (all of them, or the ones given). */
  squeeze(axes?: number | readonly number[]): Tensor {
    const drop = axesList(axes)?.map((a) => normalizeAxis(a, this.rank, "squeeze"));
    for (const a of drop ?? []) {
      if (this.shape[a] !== 1)
        throw new Error(`squeeze: axis ${a} of [${this.shape}] has size ${this.shape[a]}, not 1`);
    }
    return this.reshape(this.shape.filter((d, i) => (drop ? !drop.includes(i) : d !== 1)));
  }
  /**
   * start:end:step along each axis; a missing entry takes the whole axis. Negative starts
   * and ends count from the end.
   */
  slice(
    starts: readonly number[],
    ends?: readonly (number | undefined)[],
    steps?: readonly number[],
  ): Tensor {
    const full = (xs: readonly (number | undefined)[] | undefined, fill: (d: number) => number) =>
      this.shape.map((d, i) => xs?.[i] ?? fill(d));
    return new Tensor(
      isa.slice(this.node, {
        starts: full(starts, () => 0),
        ends: full(ends, (d) => d),
        steps: full(steps, () => 1),
      }),
    );
  }
  pad(before: readonly number[], after: readonly number[], value = 0): Tensor {
    return new Tensor(isa.pad(this.node, { before, after, value }));
  }
  flip(axes: number | readonly number[]): Tensor {
    return new Tensor(isa.flip(this.node, { axes: axesList(axes)! }));
  }

  // ——— linear algebra and indexing ———

  /** Matrix product with NumPy's rules: vectors are promoted to matrices and the added axis removed. */
  matmul(other: Tensor): Tensor {
    if (this.rank === 0 || other.rank === 0) throw new Error("matmul: operands must have at least one axis");
    const a = this.rank === 1 ? this.reshape([1, this.shape[0]!]) : this;
    const b = other.rank === 1 ? other.reshape([other.shape[0]!, 1]) : other;
    const out = new Tensor(isa.matmul(a.node, b.node));
    if (this.rank === 1 && other.rank === 1) return out.reshape([]);
    if (this.rank === 1) return out.squeeze(-2);
    if (other.rank === 1) return out.squeeze(-1);
    return out;
  }
  /** Slices at integer indices along an axis (NumPy take). */
  gather(indices: Tensor, axis = 0): Tensor {
    return new Tensor(isa.gather(this.node, indices.node, { axis }));
  }
  /** This tensor with `updates` added at integer indices along an axis. */
  scatterAdd(indices: Tensor, updates: Tensor, axis = 0): Tensor {
    return new Tensor(isa.scatterAdd(this.node, indices.node, updates.node, { axis }));
  }

  // ——— images (NCHW) ———

  /** 2-D convolution with weight [out, in/groups, kh, kw] (PyTorch's F.conv2d; add a bias after). */
  conv2d(weight: Tensor, options: ConvOptions = {}): Tensor {
    return new Tensor(isa.conv2d(this.node, weight.node, convAttrs(options)));
  }
  /** Transposed 2-D convolution with weight [in, out/groups, kh, kw] (F.conv_transpose2d). */
  convTranspose2d(weight: Tensor, options: ConvOptions & { outputPadding?: Pair } = {}): Tensor {
    return new Tensor(
      isa.convTranspose2d(this.node, weight.node, {
        ...convAttrs(options),
        outputPadding: pairOf(options.outputPadding),
      }),
    );
  }
  /** Maximum over each window; stride defaults to the kernel (F.max_pool2d). */
  maxPool2d(kernel: Pair, options: { stride?: Pair; padding?: Pair; dilation?: Pair } = {}): Tensor {
    return new Tensor(
      isa.maxPool2d(this.node, {
        kernel: pairOf(kernel)!,
        stride: pairOf(options.stride),
        padding: pairOf(options.padding),
        dilation: pairOf(options.dilation),
      }),
    );
  }
  /** Mean over each window; stride defaults to the kernel (F.avg_pool2d). */
  avgPool2d(
    kernel: Pair,
    options: { stride?: Pair; padding?: Pair; countIncludePad?: boolean } = {},
  ): Tensor {
    return new Tensor(
      isa.avgPool2d(this.node, {
        kernel: pairOf(kernel)!,
        stride: pairOf(options.stride),
        padding: pairOf(options.padding),
        countIncludePad: options.countIncludePad,
      }),
    );
  }
  /** Mean over PyTorch's adaptive bins, to [outHeight, outWidth] (F.adaptive_avg_pool2d). */
  adaptiveAvgPool2d(outputSize: Pair): Tensor {
    return new Tensor(isa.adaptiveAvgPool2d(this.node, { outputSize: pairOf(outputSize)! }));
  }
  /** Resized to [outHeight, outWidth], nearest or bilinear (F.interpolate with a size). */
  upsample2d(size: Pair, options: { mode?: "nearest" | "bilinear"; alignCorners?: boolean } = {}): Tensor {
    return new Tensor(isa.upsample2d(this.node, { size: pairOf(size)!, ...options }));
  }
  /** Every window as a column: [N, C·kh·kw, windows] (F.unfold). */
  im2col(kernel: Pair, options: { stride?: Pair; padding?: Pair; dilation?: Pair } = {}): Tensor {
    return new Tensor(isa.im2col(this.node, windowAttrsOf(kernel, options)));
  }
  /** Columns [N, C·kh·kw, windows] added back into [N, C, ...outputSize] (F.fold, im2col's adjoint). */
  col2im(
    outputSize: Pair,
    kernel: Pair,
    options: { stride?: Pair; padding?: Pair; dilation?: Pair } = {},
  ): Tensor {
    return new Tensor(
      isa.col2im(this.node, { ...windowAttrsOf(kernel, options), outputSize: pairOf(outputSize)! }),
    );
  }

  // ——— audio features (over the last axis) ———

  /** Overlapping frames [..., F, length], every `hop` samples, times a window ("hann" or "none"). */
  frames(length: number, hop: number, window: "hann" | "none" = "none"): Tensor {
    return new Tensor(isa.frames(this.node, { length, hop, window }));
  }
  /** The real DFT [..., ⌊N/2⌋+1, 2]: real and imaginary parts on the last axis. */
  rfft(): Tensor {
    return new Tensor(isa.rfft(this.node));
  }
  /** A power spectrum [..., K] through the HTK mel filterbank: [..., bins]. */
  melScale(options: { sampleRate: number; bins: number; fMin?: number; fMax?: number }): Tensor {
    return new Tensor(isa.melScale(this.node, options));
  }
  /** The orthonormal DCT-II, first `coefficients` terms. */
  dct(coefficients: number): Tensor {
    return new Tensor(isa.dct(this.node, { coefficients }));
  }
  /** The log-mel spectrogram of audio [..., N]: [..., frames, bins]. */
  logMel(options: LogMelOptions): Tensor {
    return new Tensor(isa.logMel(this.node, options));
  }
  /** MFCCs of audio [..., N]: [..., frames, coefficients]. */
  mfcc(options: LogMelOptions & { coefficients: number }): Tensor {
    return new Tensor(isa.mfcc(this.node, options));
  }

  /** Applies any instruction with this tensor as the first operand. */
  apply<A extends Attrs>(instruction: Instruction<A>, ...rest: (TensorLike | A)[]): Tensor {
    return call(instruction, this, ...rest);
  }
}

/** A size along height and width: one number for both, or [height, width]. */
export type Pair = number | readonly [number, number];

export interface ConvOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

function pairOf(v: Pair | undefined): number[] | undefined {
  return v === undefined ? undefined : typeof v === "number" ? [v, v] : [...v];
}

function convAttrs(o: ConvOptions) {
  return {
    stride: pairOf(o.stride),
    padding: pairOf(o.padding),
    dilation: pairOf(o.dilation),
    groups: o.groups,
  };
}

function windowAttrsOf(kernel: Pair, o: { stride?: Pair; padding?: Pair; dilation?: Pair }) {
  return {
    kernel: pairOf(kernel)!,
    stride: pairOf(o.stride),
    padding: pairOf(o.padding),
    dilation: pairOf(o.dilation),
  };
}

/** Accumulated gradients of leaves, by node (weakly: a dropped leaf drops its gradient). */
const gradients = new WeakMap<Node, Node>();

function leavesRequiringGrad(root: Node): Node[] {
  const seen = new Set<Node>();
  const leaves: Node[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n) || !n.requiresGrad) continue;
    seen.add(n);
    if (n.isLeaf) leaves.push(n);
    else stack.push(...n.inputs);
  }
  return leaves;
}

function axesList(axes: number | readonly number[] | undefined): readonly number[] | undefined {
  return typeof axes === "number" ? [axes] : axes;
}
