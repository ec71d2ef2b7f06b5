import type { DType } from "../../ir/dtype.js";
import { fromWord, type Leaf, toWord } from "./wgsl-expr.js";
import { wgslPrelude } from "./wgsl-prelude.js";

/**
 * What a renderer gives the program: the WGSL of one compute shader, its parameters and
 * the program binding slots it uses (in binding order after the parameters, binding 0).
 * The shader text depends only on the kernel's structure (expression, rank, which strides
 * are zero); sizes, strides and buffer offsets are parameters, so programs of other
 * shapes reuse the compiled pipeline.
 */
export interface RenderedKernel {
  readonly code: string;
  readonly params: WgslParams;
  readonly slots: readonly number[];
  readonly groups: readonly [number, number, number];
}

/**
 * The buffer number that names the target's status words in `place`: where kernels that
 * check their input (indices in range) record the first failure, read back with the next
 * value (see webgpu-status.ts).
 */
export const STATUS_BUFFER = -1;

/** Where the program keeps a buffer: a binding slot (the arena or a buffer of its own) and a word offset in it. */
export interface BufferPlace {
  readonly slot: number;
  readonly offset: number;
}

/** The parameters of one dispatch: int32 words in a uniform buffer, read as `P.v[i / 4][i % 4]`. */
export class WgslParams {
  readonly words: number[] = [];

  int(value: number): string {
    if (!Number.isSafeInteger(value) || Math.abs(value) > 2 ** 31 - 1)
      throw new Error(
        `webgpu: kernel parameter ${value} does not fit in an int32 index (a tensor too large for this target)`,
      );
    this.words.push(value | 0);
    return this.read(this.words.length - 1);
  }

  float(value: number): string {
    this.words.push(new Int32Array(new Float32Array([value]).buffer)[0]!);
    return `bitcast<f32>(${this.read(this.words.length - 1)})`;
  }

  private read(i: number): string {
    return `P.v[${i >> 2}].${"xyzw"[i & 3]}`;
  }

  /** Bytes of the uniform binding (whole vec4s). */
  get bytes(): number {
    return Math.max(1, Math.ceil(this.words.length / 4)) * 16;
  }

  declaration(): string {
    return `struct Params { v: array<vec4<i32>, ${this.bytes / 16}> }
@group(0) @binding(0) var<uniform> P: Params;`;
  }
}

/**
 * The storage bindings of one kernel: each program slot it touches once, named by its
 * binding index (so equal structures give equal text), writable if the kernel writes it.
 */
export class KernelBindings {
  private readonly slots: number[] = [];
  private readonly writable = new Set<number>();
  private readonly atomic = new Set<number>();

  constructor(
    private readonly place: (buffer: number) => BufferPlace,
    readonly params: WgslParams,
  ) {}

  /** The array and the WGSL base index of `buffer`. */
  buffer(buffer: number, write = false): { array: string; base: string } {
    const { slot, offset } = this.place(buffer);
    let index = this.slots.indexOf(slot);
    if (index < 0) {
      this.slots.push(slot);
      index = this.slots.length - 1;
    }
    if (write) this.writable.add(index);
    return { array: `s${index + 1}`, base: this.params.int(offset) };
  }

  /** The status words, as atomics (see STATUS_BUFFER). */
  status(): string {
    const { slot } = this.place(STATUS_BUFFER);
    let index = this.slots.indexOf(slot);
    if (index < 0) index = this.slots.push(slot) - 1;
    this.writable.add(index);
    this.atomic.add(index);
    return `s${index + 1}`;
  }

  get used(): readonly number[] {
    return this.slots;
  }

  declarations(): string {
    return this.slots
      .map(
        (_, i) =>
          `@group(0) @binding(${i + 1}) var<storage, ${this.writable.has(i) ? "read_write" : "read"}> s${i + 1}: array<${this.atomic.has(i) ? "atomic<u32>" : "u32"}>;`,
      )
      .join("\n");
  }
}

/**
 * Index arithmetic over a few axes: `decompose` splits a linear index into per-axis
 * indices (the last axis fastest), `position` is offset + Σ index·stride with the zero
 * strides left out.
 */
export function decompose(linear: string, dims: readonly string[], prefix: string): string[] {
  if (dims.length === 0) return [];
  if (dims.length === 1) return [`let ${prefix}0 = ${linear};`];
  const lines = [`var ${prefix}r = ${linear};`];
  for (let d = dims.length - 1; d > 0; d--) {
    lines.push(`let ${prefix}${d} = ${prefix}r % ${dims[d]}; ${prefix}r = ${prefix}r / ${dims[d]};`);
  }
  lines.push(`let ${prefix}0 = ${prefix}r;`);
  return lines;
}

export function position(
  params: WgslParams,
  offset: number | string,
  terms: readonly (readonly [index: string, stride: number])[],
): string {
  const parts = [typeof offset === "number" ? params.int(offset) : offset];
  for (const [index, stride] of terms) if (stride !== 0) parts.push(`${index} * ${params.int(stride)}`);
  return parts.join(" + ");
}

/**
 * Declares a leaf's buffer (or seed) and returns how to read it at a position: loads read
 * a word, iota computes start + step · position, random numbers hash (seed, position).
 */
export function leafReader(leaf: Leaf, bindings: KernelBindings): (pos: string) => string {
  const { params } = bindings;
  if (leaf.kind === "load") {
    const { array, base } = bindings.buffer(leaf.buffer);
    return (pos) => fromWord(`${array}[${base} + ${pos}]`, leaf.dtype);
  }
  if (leaf.kind === "random") {
    const { array, base } = bindings.buffer(leaf.seedBuffer);
    const fn = leaf.distribution === "uniform" ? "rnd_uniform" : "rnd_normal";
    return (pos) => `${fn}(${array}[${base}], u32(${pos}))`;
  }
  if (leaf.dtype === "float32") {
    const start = params.float(leaf.start);
    const step = params.float(leaf.step);
    return (pos) => `(f32(${pos}) * ${step} + ${start})`;
  }
  const start = params.int(leaf.start);
  const step = params.int(leaf.step);
  return (pos) => `(${pos} * ${step} + ${start})`;
}

/** The statement that stores `value` (of `dtype`) into `buffer` at `pos`. */
export function storeWord(
  bindings: KernelBindings,
  buffer: number,
  pos: string,
  value: string,
  dtype: DType,
): string {
  const { array, base } = bindings.buffer(buffer, true);
  return `${array}[${base} + ${pos}] = ${toWord(value, dtype)};`;
}

/** A whole shader: prelude, parameters, bindings, then the kernel's own code. */
export function shaderSource(bindings: KernelBindings, body: string, enable: readonly string[] = []): string {
  return [
    ...enable.map((e) => `enable ${e};`),
    wgslPrelude(),
    bindings.params.declaration(),
    bindings.declarations(),
    body,
  ].join("\n");
}

/** Workgroups for a grid-stride loop over `total` items, `size` per workgroup. */
export function gridGroups(total: number, size: number, maxGroups: number): [number, number, number] {
  return [Math.max(1, Math.min(Math.ceil(total / size), maxGroups)), 1, 1];
}
