// Texts in, texts out: a trained encoder–decoder with its source and target vocabularies.
// Sources are decoded in batches of a fixed size (a short last batch is padded), so every
// batch runs the same compiled programs.
import { tensor } from "../../tensor/creation.js";
import { beamSearch, type Hypothesis, type SearchOptions } from "./beam-search.js";
import type { Seq2SeqModel } from "./seq2seq-model.js";
import { paddingBias, type Seq2SeqVocabulary } from "./vocabulary.js";

export interface Translation extends Omit<Hypothesis, "tokens"> {
  text: string;
  /** The source's tokens and the output's tokens as text, for an alignment plot. */
  sourceTokens: string[];
  targetTokens: string[];
  /** Target token ids (without the end token). */
  tokens: number[];
}

export interface TranslateOptions extends SearchOptions {
  /** Sources decoded together (default 32). */
  batchSize?: number;
}

export class Translator {
  constructor(
    readonly model: Seq2SeqModel,
    readonly source: Seq2SeqVocabulary,
    readonly target: Seq2SeqVocabulary,
  ) {}

  /** The best `nBest` translations of each text, best first. */
  translate(texts: readonly string[], options: TranslateOptions = {}): Translation[][] {
    const batchSize = Math.min(options.batchSize ?? 32, Math.max(1, texts.length));
    const width = options.width ?? 1;
    const maxLength = Math.min(options.maxLength ?? this.model.maxTargetLength, this.model.maxTargetLength);
    const length = this.model.maxSourceLength;
    const wasTraining = this.model.training;
    this.model.train(false);
    try {
      const out: Translation[][] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const chunk = texts.slice(start, start + batchSize);
        const padded = [...chunk, ...Array<string>(batchSize - chunk.length).fill("")];
        const { ids, lengths } = this.source.encodeSources(padded, length);
        const state = this.model.startDecoding(
          tensor(ids, [batchSize, length], { dtype: "int32" }),
          tensor(paddingBias(lengths, length), [batchSize, length]),
          width,
        );
        const found = beamSearch(state, batchSize, this.target, { ...options, width, maxLength });
        chunk.forEach((_, i) => {
          const sourceTokens = this.#pieces(this.source, ids.subarray(i * length, i * length + lengths[i]!));
          out.push(found[i]!.map((h) => this.#translation(h, sourceTokens)));
        });
      }
      return out;
    } finally {
      this.model.train(wasTraining);
    }
  }

  #translation(h: Hypothesis, sourceTokens: string[]): Translation {
    return {
      ...h,
      text: this.target.decode(h.tokens),
      sourceTokens,
      targetTokens: [...this.#pieces(this.target, h.tokens), ...(h.finished ? ["</s>"] : [])],
      // Columns past the source's real tokens are padding, with weight 0.
      attention: h.attention.map((row) => row.slice(0, sourceTokens.length)),
    };
  }

  #pieces(vocabulary: Seq2SeqVocabulary, ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) =>
      id === vocabulary.eos
        ? "</s>"
        : id < vocabulary.tokenizer.vocabSize
          ? vocabulary.tokenizer.decode([id])
          : "",
    );
  }
}
