// Token ids for an encoder–decoder: a tokenizer's ids, then three special tokens after
// them (padding, beginning and end of sequence), so that any tokenizer works unchanged.
import { tensor } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

/** What the vocabulary needs of a tokenizer (the project's BPE and char tokenizers fit). */
export interface SequenceTokenizer {
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

/** The ignored target id of `crossEntropy` (PyTorch's default). */
export const IGNORE_TARGET = -100;

export class Seq2SeqVocabulary {
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  /** Tokenizer ids plus the three special tokens. */
  readonly size: number;

  constructor(readonly tokenizer: SequenceTokenizer) {
    this.pad = tokenizer.vocabSize;
    this.bos = tokenizer.vocabSize + 1;
    this.eos = tokenizer.vocabSize + 2;
    this.size = tokenizer.vocabSize + 3;
  }

  /** The text of ids, stopping at the end token and skipping the other special tokens. */
  decode(ids: ArrayLike<number>): string {
    const kept: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === this.eos) break;
      if (id < this.tokenizer.vocabSize) kept.push(id);
    }
    return this.tokenizer.decode(kept);
  }

  /**
   * Texts as rows of `length` ids followed by the end token and padding: int32 [n, length]
   * and the number of real ids per row. A text too long for its row throws, naming it.
   */
  encodeSources(texts: readonly string[], length: number): { ids: Int32Array; lengths: Int32Array } {
    const ids = new Int32Array(texts.length * length).fill(this.pad);
    const lengths = new Int32Array(texts.length);
    texts.forEach((text, row) => {
      const encoded = this.#fit(text, length - 1, "source");
      ids.set(encoded, row * length);
      ids[row * length + encoded.length] = this.eos;
      lengths[row] = encoded.length + 1;
    });
    return { ids, lengths };
  }

  /**
   * Targets for teacher forcing: the decoder reads [BOS, y…] and must predict [y…, EOS];
   * both are int32 [n, length], padded with the pad id and the ignored target id.
   */
  encodeTargets(texts: readonly string[], length: number): { input: Int32Array; output: Int32Array } {
    const input = new Int32Array(texts.length * length).fill(this.pad);
    const output = new Int32Array(texts.length * length).fill(IGNORE_TARGET);
    texts.forEach((text, row) => {
      const encoded = this.#fit(text, length - 1, "target");
      input[row * length] = this.bos;
      input.set(encoded, row * length + 1);
      output.set(encoded, row * length);
      output[row * length + encoded.length] = this.eos;
    });
    return { input, output };
  }

  #fit(text: string, room: number, side: string): Int32Array {
    const encoded = this.tokenizer.encode(text);
    if (encoded.length > room) {
      throw new Error(
        `the ${side} "${text.length > 60 ? `${text.slice(0, 60)}…` : text}" is ${encoded.length} tokens; at most ${room} fit`,
      );
    }
    return encoded;
  }
}

/** The additive mask of padding keys: 0 where a row has a real token, −1e9 where it is padding. */
export function paddingBias(lengths: Int32Array, length: number): Float32Array {
  const bias = new Float32Array(lengths.length * length);
  lengths.forEach((real, row) => {
    bias.fill(-1e9, row * length + real, (row + 1) * length);
  });
  return bias;
}

/** A training or evaluation batch: padded sources and teacher-forcing targets. */
export interface Seq2SeqBatch {
  /** int32 [B, S] */
  source: Tensor;
  /** float32 [B, S]: 0 for real tokens, −1e9 for padding. */
  sourceBias: Tensor;
  /** int32 [B, T]: BOS then the target. */
  targetIn: Tensor;
  /** int32 [B, T]: the target then EOS; padding is IGNORE_TARGET. */
  targetOut: Tensor;
}

/** Encodes pairs into one batch of fixed shape (every batch then shares one program). */
export function encodePairs(
  source: Seq2SeqVocabulary,
  target: Seq2SeqVocabulary,
  pairs: readonly { source: string; target: string }[],
  sourceLength: number,
  targetLength: number,
): Seq2SeqBatch {
  const n = pairs.length;
  const src = source.encodeSources(
    pairs.map((p) => p.source),
    sourceLength,
  );
  const tgt = target.encodeTargets(
    pairs.map((p) => p.target),
    targetLength,
  );
  return {
    source: tensor(src.ids, [n, sourceLength], { dtype: "int32" }),
    sourceBias: tensor(paddingBias(src.lengths, sourceLength), [n, sourceLength]),
    targetIn: tensor(tgt.input, [n, targetLength], { dtype: "int32" }),
    targetOut: tensor(tgt.output, [n, targetLength], { dtype: "int32" }),
  };
}
