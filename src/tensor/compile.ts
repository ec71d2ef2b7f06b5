// compile(fn): a function over tensors traced once per argument signature and replayed.
// The first call with given shapes and dtypes runs fn on placeholders, which records its
// graph; the graph is compiled to one program (through the program cache). Later calls with
// the same signature bind the new arguments' buffers and run that program directly: no
// nodes are built, no graph captured or keyed. This is what makes a decoding step cost its
// kernels and little else.
import type { DType } from "../ir/dtype.js";
import { Node } from "../ir/node.js";
import type { Shape } from "../ir/shape.js";
import type { Storage } from "../ir/storage.js";
import { defaultTarget } from "../runtime/default-target.js";
import type { Explanation } from "../runtime/explain.js";
import { attachBuffer } from "../runtime/memory.js";
import { placeholder, placeholderName } from "../runtime/placeholder.js";
import { realize } from "../runtime/realize.js";
import { TracedProgram } from "../runtime/traced-program.js";
import type { Target } from "../targets/target.js";
import { noGrad } from "./functional.js";
import { recordLeafReads, Tensor } from "./tensor.js";

/**
 * An argument of a compiled function: a tensor (its shape and dtype are part of the
 * signature, its values are not); a plain value that selects a variant of the function
 * (part of the signature: each distinct value traces once); or an array or plain object of
 * these (a layer's weights), whose structure is part of the signature.
 */
export type CompileArg =
  | Tensor
  | number
  | string
  | boolean
  | undefined
  | null
  | readonly CompileArg[]
  | object;

/** What a compiled function returns: a tensor or a list of tensors. */
export type CompileResult = Tensor | readonly Tensor[];

export interface CompileOptions {
  /** Its name in errors and warnings (default: the function's name). */
  name?: string;
  /**
   * Traces kept, one per signature (least recently used first out; default 8). A signature
   * traced again after it was dropped gives a warning, once: arguments whose shapes or
   * plain values change on every call defeat compilation.
   */
  maxTraces?: number;
  /** Warn when a dropped signature is traced again (default true). */
  retraceWarning?: boolean;
}

export interface CompileStats {
  /** Calls so far. */
  calls: number;
  /** Times the function was traced (a new signature, or one traced before and dropped). */
  traces: number;
  /** Traces held now. */
  held: number;
}

export type CompiledFunction<A extends readonly CompileArg[], R extends CompileResult> = ((
  ...args: A
) => R) & {
  /** How often it was called and traced. */
  readonly stats: CompileStats;
  /** The kernels of its program for these arguments, with their times (traced if needed; nothing is returned). */
  explain(...args: A): Explanation;
};

let enabled = true;
let tracing = 0;

/**
 * Turns compilation on or off everywhere (default on). Off, a compiled function calls its
 * function and realises what it returns: the same values, computed by building the graph
 * on every call. For debugging and for checking that both agree.
 */
export function setCompileEnabled(on: boolean): void {
  enabled = on;
}

export function compileEnabled(): boolean {
  return enabled;
}

/**
 * Compiles `fn`, a function from tensors (and plain values) to a tensor or a list of
 * tensors, in the spirit of `jax.jit`: traced once per signature (shapes, dtypes, plain
 * argument values, default target), then each call runs the traced program on the new
 * arguments. Results are realised tensors (resident on the target), without gradient
 * history.
 *
 * What fn may do: build any computation from its arguments and from tensors it reads from
 * outside (parameters: their current values are read at every call, so assigning new ones
 * is seen). What it must not do: read a value that depends on its arguments (`dataSync`,
 * `item`, `Tensor.realize`, `assign` inside it throw, saying so), or depend on host data
 * that changes between calls: a tensor made inside fn from a JS array, a number of a
 * closure, is recorded once, at the trace. Pass such values as arguments.
 */
export function compile<A extends readonly CompileArg[], R extends CompileResult>(
  fn: (...args: A) => R,
  options: CompileOptions = {},
): CompiledFunction<A, R> {
  const name = options.name ?? (fn.name || "a compiled function");
  const maxTraces = options.maxTraces ?? 8;
  if (!Number.isInteger(maxTraces) || maxTraces < 1) {
    throw new RangeError(`compile: maxTraces must be a positive integer, got ${maxTraces}`);
  }
  const traces: Trace[] = [];
  const dropped = new Set<string>();
  const stats: CompileStats = { calls: 0, traces: 0, held: 0 };
  let warned = false;

  /** The trace for these arguments, traced now if there is none. */
  const traceFor = (args: A): Trace => {
    const target = defaultTarget();
    let index = traces.findIndex((t) => t.matches(args, target));
    if (index < 0) {
      const trace = new Trace(fn, args, target, name);
      stats.traces++;
      if (dropped.delete(trace.signature) && !warned && options.retraceWarning !== false) {
        warned = true;
        process.emitWarning(
          `${name} was traced again for a signature it had dropped (${trace.signature}): more than ${maxTraces} signatures are in use. Arguments whose shapes or plain values change on every call defeat compilation; pass changing values as tensors, or raise maxTraces.`,
          { code: "INFINISET_RETRACE" },
        );
      }
      traces.unshift(trace);
      if (traces.length > maxTraces) dropped.add(traces.pop()!.signature);
      index = 0;
    } else if (index > 0) {
      traces.unshift(...traces.splice(index, 1));
    }
    stats.held = traces.length;
    return traces[0]!;
  };
  const compiled = (...args: A): R => {
    stats.calls++;
    checkArguments(args, name);
    // Inside another trace, the function is part of that trace's graph.
    if (!enabled || tracing > 0) return callEagerly(fn, args, name);
    return traceFor(args).call(args) as R;
  };
  const explain = (...args: A): Explanation => {
    checkArguments(args, name);
    return traceFor(args).explain(args);
  };
  return Object.assign(compiled, { stats, explain });
}

/** One traced signature: the argument shapes it was traced for, and its program. */
class Trace {
  readonly signature: string;
  readonly #target: Target;
  /** The arguments with each tensor replaced by its shape and dtype. */
  readonly #arguments: readonly unknown[];
  readonly #program: TracedProgram;
  readonly #outputs: readonly { shape: Shape; dtype: DType }[];
  readonly #single: boolean;

  constructor(
    fn: (...args: never) => CompileResult,
    args: readonly CompileArg[],
    target: Target,
    name: string,
  ) {
    this.#target = target;
    this.#arguments = args.map((a) => mapTensors(a, (t) => new TensorSpec(t.shape, t.dtype)));
    this.signature = args.map(describe).join(", ");
    const argumentNodes: Node[] = [];
    const placeholders = args.map((a, i) =>
      mapTensors(a, (t) => {
        const where = `argument ${i + 1} of ${name}`;
        const node = placeholder(t.shape, t.dtype, a instanceof Tensor ? where : `a tensor in ${where}`);
        argumentNodes.push(node);
        return new Tensor(node);
      }),
    );
    const reads = new Map<Node, Tensor>();
    tracing++;
    let result: CompileResult;
    try {
      result = recordLeafReads(reads, () =>
        noGrad(() => (fn as (...args: unknown[]) => CompileResult)(...placeholders)),
      );
    } finally {
      tracing--;
    }
    const outputs = resultList(result, name);
    this.#single = result instanceof Tensor;
    this.#outputs = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
    const live = new Map<Node, () => Node>();
    for (const [node, tensor] of reads)
      if (placeholderName(node) === undefined) live.set(node, () => tensor.node);
    this.#program = new TracedProgram(
      outputs.map((t) => t.node),
      { arguments: argumentNodes, live },
      target,
      name,
    );
  }

  explain(args: readonly CompileArg[]): Explanation {
    return this.#program.explain(this.#argumentValues(args));
  }

  /** The tensor arguments' values (pending ones are computed first, together). */
  #argumentValues(args: readonly CompileArg[]): Storage[] {
    const tensors: Tensor[] = [];
    collectTensors(args, tensors);
    const pending = tensors.filter((t) => t.node.buffer === undefined).map((t) => t.node);
    if (pending.length > 0) realize(pending, this.#target);
    return tensors.map((t) => t.node.buffer!);
  }

  matches(args: readonly CompileArg[], target: Target): boolean {
    return target === this.#target && matchesSpec(args, this.#arguments);
  }

  call(args: readonly CompileArg[]): CompileResult {
    const stored = this.#program.run(this.#argumentValues(args));
    const results = stored.map((storage, i) => {
      const { shape, dtype } = this.#outputs[i]!;
      const node = Node.leaf(shape, dtype);
      attachBuffer(node, storage);
      return new Tensor(node);
    });
    return this.#single ? results[0]! : results;
  }
}

function callEagerly<A extends readonly CompileArg[], R extends CompileResult>(
  fn: (...args: A) => R,
  args: A,
  name: string,
): R {
  const result = noGrad(() => fn(...args));
  const outputs = resultList(result, name);
  if (tracing === 0) Tensor.realize(...outputs);
  return result;
}

function checkArguments(args: readonly CompileArg[], name: string): void {
  args.forEach((a, i) => {
    const bad = unsupported(a);
    if (bad) {
      throw new TypeError(
        `${name}: argument ${i + 1} ${bad}; a compiled function takes tensors, numbers, strings, booleans, and arrays and plain objects of these`,
      );
    }
  });
}

/** What is wrong with an argument, or undefined. */
function unsupported(a: unknown): string | undefined {
  if (a instanceof Tensor || a === undefined || a === null) return undefined;
  const type = typeof a;
  if (type === "number" || type === "string" || type === "boolean") return undefined;
  if (Array.isArray(a)) {
    for (const item of a) {
      const bad = unsupported(item);
      if (bad) return bad;
    }
    return undefined;
  }
  if (isPlainObject(a)) {
    for (const key in a) {
      const bad = unsupported(a[key]);
      if (bad) return bad;
    }
    return undefined;
  }
  return `holds ${type === "object" ? `a ${(a as object).constructor?.name ?? "object"}` : `a ${type}`}`;
}

function isPlainObject(a: unknown): a is Record<string, unknown> {
  if (typeof a !== "object" || a === null) return false;
  const proto = Object.getPrototypeOf(a);
  return proto === Object.prototype || proto === null;
}

/** A tensor argument as the signature records it. */
class TensorSpec {
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}
}

/** The argument with every tensor in it replaced by `f(tensor)`. */
function mapTensors(a: unknown, f: (t: Tensor) => unknown): unknown {
  if (a instanceof Tensor) return f(a);
  if (Array.isArray(a)) return a.map((item) => mapTensors(item, f));
  if (isPlainObject(a)) {
    const out: Record<string, unknown> = {};
    for (const key in a) out[key] = mapTensors(a[key], f);
    return out;
  }
  return a;
}

/** The tensors in an argument, in the order `mapTensors` visits them. */
function collectTensors(a: unknown, out: Tensor[]): void {
  if (a instanceof Tensor) out.push(a);
  else if (Array.isArray(a)) for (const item of a) collectTensors(item, out);
  else if (isPlainObject(a)) for (const key in a) collectTensors(a[key], out);
}

/** Whether an argument has the structure, tensor shapes and dtypes, and plain values of `spec`. */
function matchesSpec(a: unknown, spec: unknown): boolean {
  if (a instanceof Tensor) {
    return spec instanceof TensorSpec && a.dtype === spec.dtype && sameShape(a.shape, spec.shape);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(spec) || spec.length !== a.length) return false;
    for (let i = 0; i < a.length; i++) if (!matchesSpec(a[i], spec[i])) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(spec)) return false;
    let keys = 0;
    for (const key in a) {
      if (!(key in spec) || !matchesSpec(a[key], spec[key])) return false;
      keys++;
    }
    return keys === Object.keys(spec).length;
  }
  return Object.is(a, spec);
}

/** An argument as the retrace warning names it. */
function describe(a: unknown): string {
  if (a instanceof Tensor) return `${a.dtype}[${a.shape.join(",")}]`;
  if (Array.isArray(a)) return `[${a.map(describe).join(", ")}]`;
  if (isPlainObject(a))
    return `{${Object.keys(a)
      .map((key) => `${key}: ${describe(a[key])}`)
      .join(", ")}}`;
  return a === undefined ? "undefined" : JSON.stringify(a);
}

function resultList(result: unknown, name: string): readonly Tensor[] {
  if (result instanceof Tensor) return [result];
  if (Array.isArray(result) && result.every((r) => r instanceof Tensor)) return result;
  throw new TypeError(`${name} must return a tensor or an array of tensors`);
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
