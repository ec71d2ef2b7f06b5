import { concat } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * What one attention layer has seen so far, so generation feeds only the new token instead
 * of the whole context: the rows of its q·k·v projection, [B, time, 3·embd], to which each
 * call that passes the cache appends its own along time.
 *
 * It keeps whole projection rows rather than split keys and values (the query third is
 * never read again) so that the concat reads a kernel's output, not a slice of one: the
 * wasm target's host fallbacks (concat, gather, pad) currently drop a slice's offset.
 */
export class AttentionCache {
  projections: Tensor | undefined;

  /** Number of positions cached. */
  get length(): number {
    return this.projections?.shape[1] ?? 0;
  }

  /** Appends new projection rows [B, T, 3·embd] and returns all of them (past, then new). */
  append(rows: Tensor): Tensor {
    this.projections = this.projections ? concat([this.projections, rows], 1) : rows;
    return this.projections;
  }

  /** The cached tensors, to realise together with a step's output. */
  tensors(): Tensor[] {
    return this.projections ? [this.projections] : [];
  }
}
