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
 * signature, its values are not), or a plain value that selects a variant of the function
 * (part of the signature: each distinct value traces once).
 */
export type CompileArg = Tensor | number | string | boolean | undefined | null;

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
  readonly #arguments: readonly ({ shape: Shape; dtype: DType } | Exclude<CompileArg, Tensor>)[];
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
    this.#arguments = args.map((a) => (a instanceof Tensor ? { shape: a.shape, dtype: a.dtype } : a));
    this.signature = args
      .map((a) =>
        a instanceof Tensor ? `${a.dtype}[${a.shape.join(",")}]` : (JSON.stringify(a) ?? "undefined"),
      )
      .join(", ");
    const placeholders = args.map((a, i) =>
      a instanceof Tensor ? new Tensor(placeholder(a.shape, a.dtype, `argument ${i + 1} of ${name}`)) : a,
    );
    const reads = new Map<Node, Tensor>();
    tracing++;
    let result: CompileResult;
    try {
      result = recordLeafReads(reads, () =>
        noGrad(() => (fn as (...args: CompileArg[]) => CompileResult)(...placeholders)),
      );
    } finally {
      tracing--;
    }
    const outputs = resultList(result, name);
    this.#single = result instanceof Tensor;
    this.#outputs = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
    const argumentNodes = placeholders.flatMap((p) => (p instanceof Tensor ? [p.node] : []));
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
    const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
    const pending = tensors.filter((t) => t.node.buffer === undefined).map((t) => t.node);
    if (pending.length > 0) realize(pending, this.#target);
    return tensors.map((t) => t.node.buffer!);
  }

  matches(args: readonly CompileArg[], target: Target): boolean {
    if (target !== this.#target || args.length !== this.#arguments.length) return false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const b = this.#arguments[i];
      if (a instanceof Tensor) {
        if (typeof b !== "object" || b === null || a.dtype !== b.dtype || !sameShape(a.shape, b.shape))
          return false;
      } else if (!Object.is(a, b)) {
        return false;
      }
    }
    return true;
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
    if (a instanceof Tensor || a === undefined || a === null) return;
    const type = typeof a;
    if (type !== "number" && type !== "string" && type !== "boolean") {
      throw new TypeError(
        `${name}: argument ${i + 1} is ${Array.isArray(a) ? "an array" : `a ${type}`}; a compiled function takes tensors, and numbers, strings or booleans that select a variant of it`,
      );
    }
  });
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
