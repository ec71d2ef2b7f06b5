// What every encoder–decoder offers: teacher-forced logits for training, and a decoding
// state for search (greedy, beam) that advances many rows one token at a time.
import type { Module } from "../../nn/module.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Seq2SeqBatch } from "./vocabulary.js";

/**
 * Incremental decoding of `rows` sequences at once (sources × beams). Each step takes
 * the last token of every row and gives the log-probabilities of the next; `selectRows`
 * lets each row continue from another row's state (a beam's parent).
 */
export interface DecoderState {
  readonly rows: number;
  /** tokens: one id per row → log-probabilities [rows, vocab] and attention over the source [rows, S]. */
  step(tokens: Int32Array): { logProbs: Float32Array; attention: Float32Array };
  /** Row r continues from row `parents[r]`. */
  selectRows(parents: Int32Array): void;
}

export interface Seq2SeqModel extends Module {
  readonly sourceVocab: number;
  readonly targetVocab: number;
  /** Longest source and target, in tokens with their end token (the fixed shapes). */
  readonly maxSourceLength: number;
  readonly maxTargetLength: number;
  /** Teacher forcing: logits [B, T, targetVocab] for every target position. */
  logits(batch: Seq2SeqBatch): Tensor;
  /**
   * Starts decoding: source ids int32 [B, S] and their padding bias [B, S], each source
   * repeated `beams` times (row b·beams + k is beam k of source b).
   */
  startDecoding(source: Tensor, sourceBias: Tensor, beams: number): DecoderState;
}

/** Row indices [B·beams]: each source index repeated `beams` times. */
export function repeatRows(batch: number, beams: number): Int32Array {
  return Int32Array.from({ length: batch * beams }, (_, r) => Math.floor(r / beams));
}
