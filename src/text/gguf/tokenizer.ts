// The tokenizer a GGUF file describes: SentencePiece BPE ("llama") or byte-level BPE
// ("gpt2"), special tokens split out first, BOS/EOS added as the file asks. Encoding
// follows llama.cpp's llama_tokenize, so the same text gives the same ids as there.
import type { GgufFile } from "../../formats/gguf/gguf-file.js";
import { ByteLevelBpe } from "./byte-level-bpe.js";
import { vocabularyTextToBytes } from "./byte-unicode.js";
import { preTokenizerNamed } from "./pretokenizers.js";
import { SentencePieceBpe } from "./sentencepiece-bpe.js";
import { type SpecialTokens, specialTokensOf, splitAtSpecialTokens } from "./special-tokens.js";
import { type GgufVocabulary, TokenType, vocabularyFromGguf } from "./vocabulary.js";

export interface EncodeOptions {
  /** Add BOS (and EOS) as the file says (`add_bos_token`, `add_eos_token`). Default true. */
  addSpecial?: boolean;
  /** Turn control-token text such as "<|eot_id|>" into those tokens. Default false. */
  parseSpecial?: boolean;
}

// Chat models end a turn with one of these even when the file names only its EOS.
const END_OF_TURN_TEXTS = [
  "<|eot_id|>",
  "<|im_end|>",
  "<|end|>",
  "<end_of_turn>",
  "<|endoftext|>",
  "<|eom_id|>",
];

export class GgufTokenizer {
  readonly vocab: GgufVocabulary;
  readonly #ids = new Map<string, number>();
  readonly #special: SpecialTokens;
  readonly #spm: SentencePieceBpe | undefined;
  readonly #bpe: ByteLevelBpe | undefined;
  readonly #pieces: (Uint8Array | undefined)[] = [];
  /** Tokens that end generation: EOS, end-of-turn and end-of-message tokens. */
  readonly endOfGeneration: ReadonlySet<number>;

  constructor(vocab: GgufVocabulary) {
    this.vocab = vocab;
    // The first occurrence of a string wins, as in llama.cpp's token_to_id.
    vocab.tokens.forEach((text, id) => {
      if (!this.#ids.has(text)) this.#ids.set(text, id);
    });
    this.#special = specialTokensOf(vocab);
    if (vocab.model === "llama") {
      const scores = vocab.scores ?? new Float32Array(vocab.tokens.length);
      this.#spm = new SentencePieceBpe(this.#ids, scores);
    } else {
      this.#bpe = new ByteLevelBpe(this.#ids, vocab.merges ?? [], preTokenizerNamed(vocab.pre));
    }
    const ends = new Set<number>();
    for (const id of [vocab.eosId, vocab.eotId, vocab.eomId]) if (id !== undefined) ends.add(id);
    for (const text of END_OF_TURN_TEXTS) {
      const id = this.#ids.get(text);
      if (id !== undefined && this.typeOf(id) === TokenType.control) ends.add(id);
    }
    this.endOfGeneration = ends;
  }

  static fromGguf(file: GgufFile): GgufTokenizer {
    return new GgufTokenizer(vocabularyFromGguf(file));
  }

  get vocabSize(): number {
    return this.vocab.tokens.length;
  }

  get bosId(): number | undefined {
    return this.vocab.bosId;
  }

  get eosId(): number | undefined {
    return this.vocab.eosId;
  }

  /** Whether BOS goes before encoded text: the file's add_bos_token, else true for llama tokenizers. */
  get addsBos(): boolean {
    return this.vocab.addBos ?? this.vocab.model === "llama";
  }

  typeOf(id: number): number {
    return this.vocab.types?.[id] ?? TokenType.normal;
  }

  /** The id of a token string, if the vocabulary has it. */
  idOf(text: string): number | undefined {
    return this.#ids.get(text);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const addSpecial = options.addSpecial ?? true;
    const out: number[] = [];
    if (addSpecial && this.addsBos && this.vocab.bosId !== undefined) out.push(this.vocab.bosId);
    // A llama tokenizer puts a space before text at the start and after a special token.
    let afterSpecial = true;
    const prefix = this.vocab.addSpacePrefix ?? true;
    for (const fragment of splitAtSpecialTokens(text, this.#special, options.parseSpecial ?? false)) {
      if ("id" in fragment) {
        out.push(fragment.id);
        afterSpecial = true;
      } else if (this.#spm) {
        this.#spm.encode(prefix && afterSpecial ? ` ${fragment.text}` : fragment.text, out);
        afterSpecial = false;
      } else {
        this.#bpe!.encode(fragment.text, out);
      }
    }
    if (addSpecial && this.vocab.addEos && this.vocab.eosId !== undefined) out.push(this.vocab.eosId);
    return out;
  }

  /**
   * The bytes a token stands for in text: control tokens give none (unless `special`),
   * byte tokens their byte, "▁" a space in llama vocabularies, GPT-2's byte alphabet its bytes.
   */
  tokenBytes(id: number, special = false): Uint8Array {
    const type = this.typeOf(id);
    if (type === TokenType.control || type === TokenType.unused) {
      return special ? new TextEncoder().encode(this.vocab.tokens[id] ?? "") : new Uint8Array(0);
    }
    let piece = this.#pieces[id];
    if (!piece) {
      piece = this.#pieceOf(id, type);
      this.#pieces[id] = piece;
    }
    return piece;
  }

  #pieceOf(id: number, type: number): Uint8Array {
    const text = this.vocab.tokens[id];
    if (text === undefined)
      throw new Error(`tokenizer: token ${id} is outside the vocabulary of ${this.vocabSize}`);
    const utf8 = (s: string) => new TextEncoder().encode(s);
    if (this.vocab.model === "llama") {
      if (type === TokenType.byte) return Uint8Array.of(Number.parseInt(text.slice(3, 5), 16));
      if (type === TokenType.unknown) return utf8("▅");
      return utf8(text.replaceAll("▁", " "));
    }
    if (type === TokenType.userDefined) return utf8(text);
    return Uint8Array.from(vocabularyTextToBytes(text));
  }

  /** The text of `ids`; invalid UTF-8 (a character cut between tokens) shows as U+FFFD. */
  decode(ids: readonly number[], options: { special?: boolean } = {}): string {
    const parts = ids.map((id) => this.tokenBytes(id, options.special));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return new TextDecoder().decode(bytes);
  }
}
