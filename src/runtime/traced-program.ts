// A computation recorded once and run again on new inputs: the graph a function built over
// placeholder arguments, compiled to one Program, whose later runs bind the arguments'
// buffers (and the current values of the tensors it read) and call the target directly. No
// nodes are built, no graph is captured or keyed: that is the host's whole per-step cost
// when a decoding or training loop repeats one computation on new values.
import { captureGraph } from "../compiler/capture.js";
import { compileCached } from "../compiler/compile.js";
import type { Program } from "../compiler/program.js";
import type { DType } from "../ir/dtype.js";
import { Node } from "../ir/node.js";
import type { Shape } from "../ir/shape.js";
import { type Storage, toHost } from "../ir/storage.js";
import type { Target } from "../targets/target.js";
import { type Explanation, explainProgram } from "./explain.js";
import { attachBuffer, releaseBuffer } from "./memory.js";
import { missingValueMessage, realize } from "./realize.js";

/** Where a program input or a result comes from at each run. */
type Source =
  | { readonly kind: "argument"; readonly index: number }
  /** A value read through a handle that may be given new values between runs (`assign`). */
  | { readonly kind: "live"; readonly read: () => Node; readonly shape: Shape; readonly dtype: DType }
  | { readonly kind: "constant"; readonly node: Node }
  /** A value computed from live values only, held until one of them changes (see `Prepared`). */
  | { readonly kind: "prepared"; readonly holder: Node }
  | { readonly kind: "result"; readonly index: number };

export interface TraceInputs {
  /** The placeholders of the arguments, in order. */
  readonly arguments: readonly Node[];
  /**
   * Leaves the trace read through a handle whose value may change between runs (a tensor a
   * training loop assigns new values): their value is read again at every run. Other leaves
   * holding values are constants of the trace.
   */
  readonly live: ReadonlyMap<Node, () => Node>;
}

/**
 * The outputs of a traced computation, compiled once. Parts of the graph that depend on
 * neither an argument nor a live value (a bias joined at load, a table computed from data)
 * are computed once here and enter the program as constants. Parts that depend on live
 * values but on no argument (a weight's transpose, which a matrix product with one row would
 * otherwise copy at every run) are computed by a program of their own, run again only when
 * one of those values has changed.
 */
export class TracedProgram {
  readonly program: Program | undefined;
  readonly #target: Target;
  readonly #inputs: readonly Source[];
  readonly #outputs: readonly Source[];
  readonly #name: string;
  readonly #prepared: Prepared | undefined;

  constructor(outputs: readonly Node[], inputs: TraceInputs, target: Target, name: string) {
    this.#target = target;
    this.#name = name;
    const argumentIndex = new Map(inputs.arguments.map((n, i) => [n, i]));
    hoistConstants(outputs, (n) => argumentIndex.has(n) || inputs.live.has(n), target);
    const liveOnly = liveOnlyInputs(outputs, argumentIndex, inputs.live);
    if (liveOnly.length > 0) this.#prepared = new Prepared(liveOnly, inputs.live, target, name);
    const source = (n: Node): Source => {
      const index = argumentIndex.get(n);
      if (index !== undefined) return { kind: "argument", index };
      const holder = this.#prepared?.holderOf(n);
      if (holder) return { kind: "prepared", holder };
      const read = inputs.live.get(n);
      if (read) return { kind: "live", read, shape: n.shape, dtype: n.dtype };
      if (n.buffer === undefined) throw new Error(missingValueMessage(n));
      return { kind: "constant", node: n };
    };
    const pending = [...new Set(outputs.filter((n) => n.buffer === undefined && n.op !== null))];
    if (pending.length === 0) {
      this.#inputs = [];
      this.#outputs = outputs.map(source);
      return;
    }
    const graph = captureGraph(pending);
    this.#inputs = graph.inputs.map(source);
    this.program = compileCached(graph, target);
    this.#prepared?.releaseTraced();
    const resultIndex = new Map(pending.map((n, i) => [n, i]));
    this.#outputs = outputs.map((n) => {
      const index = resultIndex.get(n);
      return index === undefined ? source(n) : { kind: "result", index };
    });
  }

  /** Runs the program on `args` (in the placeholders' order); one storage per output. */
  run(args: readonly Storage[]): Storage[] {
    this.#prepared?.refresh();
    const inputs = this.#inputs.map((s) => this.#read(s, args));
    const program = this.program;
    const target = this.#target;
    const results = !program
      ? []
      : target.runResident
        ? target.runResident(program, inputs)
        : target.run(program, inputs.map(toHost));
    return this.#outputs.map((s) => (s.kind === "result" ? results[s.index]! : this.#read(s, args)));
  }

  /** The program's kernels and their times on `args` (see `Tensor.explain`). */
  explain(args: readonly Storage[], runs?: number): Explanation {
    if (!this.program)
      throw new Error(`explain: ${this.#name} computes nothing (it returns values it was given)`);
    this.#prepared?.refresh();
    return explainProgram(
      this.program,
      this.#inputs.map((s) => this.#read(s, args)),
      this.#target,
      runs,
    );
  }

  /** The live values the program reads now (what `Prepared` compares with). */
  liveValues(): Node[] {
    return this.#inputs.flatMap((s) => (s.kind === "live" ? [s.read()] : []));
  }

  #read(s: Source, args: readonly Storage[]): Storage {
    switch (s.kind) {
      case "argument":
        return args[s.index]!;
      case "constant":
        return s.node.buffer!;
      case "prepared":
        return s.holder.buffer!;
      case "result":
        throw new Error("unreachable: a result is not an input");
      case "live": {
        const node = s.read();
        if (
          node.buffer === undefined ||
          node.shape.join(",") !== s.shape.join(",") ||
          node.dtype !== s.dtype
        ) {
          throw new Error(
            `${this.#name}: a tensor it reads (${s.dtype} [${s.shape}]) ${node.buffer === undefined ? "has no value now (disposed, or pending)" : `is now ${node.dtype} [${node.shape}]`}`,
          );
        }
        return node.buffer;
      }
    }
  }
}

/**
 * Computes, once, the parts of the graph below `outputs` that read constant values and
 * nothing that varies between runs, so that they become constant inputs of the program.
 * Parts that read no value at all (`full`, `arange`) stay in the graph, where the compiler
 * folds them into the kernels that use them.
 */
function hoistConstants(outputs: readonly Node[], varies: (n: Node) => boolean, target: Target): void {
  const pending = outputs.filter((n) => n.buffer === undefined && n.op !== null);
  if (pending.length === 0) return;
  const { order } = captureGraph(pending);
  const varying = new Set<Node>();
  const readsData = new Set<Node>();
  for (const n of order) {
    if (n.op === null || n.buffer !== undefined) {
      if (varies(n)) varying.add(n);
      else readsData.add(n);
      continue;
    }
    if (n.inputs.some((i) => varying.has(i))) varying.add(n);
    else if (n.inputs.some((i) => readsData.has(i))) readsData.add(n);
  }
  const hoisted = new Set<Node>();
  for (const n of order) {
    if (!varying.has(n)) continue;
    for (const i of n.inputs) if (readsData.has(i) && i.buffer === undefined) hoisted.add(i);
  }
  for (const n of pending) if (readsData.has(n) && n.buffer === undefined) hoisted.add(n);
  if (hoisted.size > 0) realize([...hoisted], target);
}

/**
 * The values computed from live values alone that argument-dependent nodes read, for a
 * program of their own: op nodes no larger than the largest value they read (a transpose,
 * a slice, a cast; not a broadcast, which the kernels reading it do for free).
 */
function liveOnlyInputs(
  outputs: readonly Node[],
  argumentIndex: ReadonlyMap<Node, number>,
  live: ReadonlyMap<Node, () => Node>,
): Node[] {
  const pending = outputs.filter((n) => n.buffer === undefined && n.op !== null);
  if (pending.length === 0 || argumentIndex.size === 0) return [];
  const { order } = captureGraph(pending);
  const dependsOnArgument = new Set<Node>();
  /** Live-only nodes, with the size of the largest value each reads. */
  const liveOnly = new Map<Node, number>();
  for (const n of order) {
    if (argumentIndex.has(n)) dependsOnArgument.add(n);
    else if (live.has(n)) liveOnly.set(n, n.size);
    else if (n.op === null || n.buffer !== undefined) continue;
    else if (n.inputs.some((i) => dependsOnArgument.has(i))) dependsOnArgument.add(n);
    else if (n.inputs.some((i) => liveOnly.has(i)))
      liveOnly.set(n, Math.max(...n.inputs.map((i) => liveOnly.get(i) ?? i.size)));
  }
  const chosen = new Set<Node>();
  for (const n of order) {
    if (!dependsOnArgument.has(n)) continue;
    for (const i of n.inputs) {
      const largest = liveOnly.get(i);
      if (largest !== undefined && i.op !== null && i.buffer === undefined && i.size <= largest)
        chosen.add(i);
    }
  }
  return [...chosen];
}

/**
 * Values computed from live values only (`liveOnlyInputs`), by a traced program of their
 * own, each held by a leaf node the main program reads. Before each run of the main
 * program, the live values are read again: when any is a different node than at the last
 * computation (`assign` gives a tensor a new node), the values are computed again.
 */
class Prepared {
  readonly #program: TracedProgram;
  readonly #nodes: readonly Node[];
  readonly #holders: Map<Node, Node>;
  /** The live values the held ones were computed from; undefined before the first time. */
  #computedFrom: Node[] | undefined;

  constructor(nodes: readonly Node[], live: ReadonlyMap<Node, () => Node>, target: Target, name: string) {
    this.#nodes = nodes;
    this.#program = new TracedProgram(
      nodes,
      { arguments: [], live },
      target,
      `${name} (values prepared from its parameters)`,
    );
    this.#holders = new Map(nodes.map((n) => [n, Node.leaf(n.shape, n.dtype)]));
    this.refresh();
    // The traced graph reads these nodes as its inputs while it is captured.
    for (const n of nodes) attachBuffer(n, this.#holders.get(n)!.buffer!);
  }

  holderOf(n: Node): Node | undefined {
    return this.#holders.get(n);
  }

  /** The traced nodes let go of the values: the holders own them from now on. */
  releaseTraced(): void {
    for (const n of this.#nodes) releaseBuffer(n);
  }

  /** Computes the values again if a live value they read has changed. */
  refresh(): void {
    const current = this.#program.liveValues();
    const before = this.#computedFrom;
    if (before && current.every((n, i) => n === before[i])) return;
    const values = this.#program.run([]);
    this.#nodes.forEach((n, i) => {
      attachBuffer(this.#holders.get(n)!, values[i]!);
    });
    this.#computedFrom = current;
  }
}
