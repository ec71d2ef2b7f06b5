import type { Attrs, Instruction } from "../isa/instruction.js";
import { type DType, isFloat } from "./dtype.js";
import { isGradEnabled } from "./grad-mode.js";
import type { Shape } from "./shape.js";
import type { Storage } from "./storage.js";

let nextId = 0;

/**
 * One value in the IR graph: either an instruction applied to input nodes, or a leaf
 * that holds data (a user's tensor, or the realised value of an earlier computation).
 *
 * Nodes are immutable in what they compute. The only thing that changes is `buffer`:
 * realisation attaches the value, after which the node acts as a leaf for later graphs.
 */
export class Node {
  readonly id = nextId++;
  /** Set when the value has been computed (or was given): host data or a device buffer. */
  buffer: Storage | undefined;
  /** True once the user disposed the tensor that owns this node. */
  disposed = false;
  /** Whether gradients flow to this node (a leaf the user marked, or computed from one). */
  requiresGrad: boolean;
  /** Scratch for graph walks (graph.ts): a mark set by the latest walk that reached the node. */
  mark = 0;

  constructor(
    readonly op: Instruction | null,
    public inputs: readonly Node[],
    readonly attrs: Attrs,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {
    // Only float values carry gradients; an int or bool result (argmax, a comparison) cuts the path.
    this.requiresGrad =
      op?.differentiable === true && isFloat(dtype) && isGradEnabled() && inputs.some((n) => n.requiresGrad);
  }

  /** A leaf holding data; `buffer` may be left empty for a compile-time placeholder. */
  static leaf(shape: Shape, dtype: DType, buffer?: Storage): Node {
    const n = new Node(null, [], {}, shape, dtype);
    n.buffer = buffer;
    return n;
  }

  get isLeaf(): boolean {
    return this.op === null;
  }

  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /**
   * Once realised, a node that no gradient will flow through forgets how it was made,
   * so a long chain of realised values does not keep every ancestor alive.
   */
  forgetInputsIfUnneeded(): void {
    if (this.buffer !== undefined && !this.requiresGrad) this.inputs = [];
  }
}
