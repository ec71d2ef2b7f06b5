import { zeros } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { positionIds } from "./position-ids.js";

/**
 * What one attention layer has seen so far, so generation feeds only the new tokens instead
 * of the whole context: the rows of its q·k·v projection in a buffer of fixed size
 * [B, capacity, 3·embd], of which the first `length` positions are filled. Attention reads
 * the whole buffer and masks the unfilled part.
 *
 * The fixed size is what makes decoding fast: every step has the same shapes, and the
 * step's positions arrive as data, so all steps share one compiled program instead of
 * compiling a new one for each length.
 *
 * Whole projection rows are kept rather than split keys and values (the query third is
 * never read again) so that the write reads a kernel's output, not a slice of one: the wasm
 * target's host fallbacks (concat, gather, pad, scatterAdd) currently drop a slice's offset.
 */
export class AttentionCache {
  #projections: Tensor | undefined;
  #length = 0;
  /** The positions of the next rows when they are given as data (see `over`). */
  #given: Tensor | undefined;

  constructor(readonly capacity: number) {
    checkSize("AttentionCache", "capacity", capacity);
  }

  /**
   * A cache holding `projections` [B, capacity, 3·embd] whose next rows go at `positions`
   * (int32 [T], data): what a compiled decoding step is traced over, the buffer and the
   * positions being its arguments. Its length is not known here: the caller checks that
   * the rows fit.
   */
  static over(projections: Tensor, positions: Tensor): AttentionCache {
    const cache = new AttentionCache(projections.shape[1]!);
    cache.#projections = projections;
    cache.#given = positions;
    return cache;
  }

  /** Number of positions filled. */
  get length(): number {
    return this.#length;
  }

  /** The buffer [B, capacity, 3·embd], once anything was written. */
  get projections(): Tensor | undefined {
    return this.#projections;
  }

  /** The positions of the next `time` rows: int32 [time], data. */
  nextPositions(time: number): Tensor {
    return this.#given ?? positionIds(this.#length, time);
  }

  /**
   * Writes projection rows [B, T, 3·embd] at the next T positions. Returns the whole buffer
   * and those positions (int32 [T]), which the causal mask needs.
   */
  append(rows: Tensor): { projections: Tensor; positions: Tensor } {
    const [batch, time, width] = rows.shape as [number, number, number];
    if (!this.#given && this.#length + time > this.capacity) {
      throw new Error(
        `AttentionCache: ${this.#length} cached + ${time} new positions exceed the capacity ${this.capacity}`,
      );
    }
    const positions = this.nextPositions(time);
    this.#given = undefined;
    const buffer = this.#projections ?? zeros([batch, this.capacity, width]);
    // The rows at these positions are still zero, so adding them writes them.
    this.#projections = buffer.scatterAdd(positions, rows, 1);
    this.#length += time;
    return { projections: this.#projections, positions };
  }

  /**
   * Keeps the cached rows of the given sequences, in that order (int32 [B']): beam search
   * continues each surviving hypothesis from its parent's keys and values.
   */
  selectRows(rows: Tensor): void {
    if (this.#projections) this.#projections = this.#projections.gather(rows, 0);
  }

  /**
   * Takes the buffer a compiled step computed (this one's, `time` rows longer) and lets go
   * of the old one now: its memory is then reused by the next step's output instead of
   * waiting for the garbage collector.
   */
  advance(projections: Tensor, time: number): void {
    if (this.#length + time > this.capacity) {
      throw new Error(
        `AttentionCache: ${this.#length} cached + ${time} new positions exceed the capacity ${this.capacity}`,
      );
    }
    if (this.#projections !== projections) this.#projections?.dispose();
    this.#projections = projections;
    this.#length += time;
  }

  /** The cached tensors, to realise together with a step's output. */
  tensors(): Tensor[] {
    return this.#projections ? [this.#projections] : [];
  }
}
