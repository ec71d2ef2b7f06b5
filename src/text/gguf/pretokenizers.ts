// The pre-tokenizers a GGUF file can name in `tokenizer.ggml.pre`: regexes that cut text
// into words before byte-level BPE, each applied to the pieces the previous one left. They
// are the expressions llama.cpp uses for these names (which in turn are the models' own,
// with case-insensitive groups spelled out).
import { compileSplitPattern, splitIntoPieces } from "../pretokenize.js";

const CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
const GPT2 = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`;
// Llama 3: digits in groups of up to three, a letter run may take one leading symbol.
const LLAMA3 = String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
// Qwen 2: as Llama 3 but every digit alone.
const QWEN2 = String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
// What llama.cpp falls back to when a file names no pre-tokenizer.
const DEFAULT = [String.raw`[\p{P}\$\+<=>\^~\|]+`, GPT2, String.raw`\p{N}+`, "[0-9][0-9][0-9]"];

export interface PreTokenizer {
  readonly name: string;
  /** Regexes applied in turn. */
  readonly patterns: readonly RegExp[];
  /** Llama 3 takes a word that is itself a token whole, without running the merges. */
  readonly ignoreMerges: boolean;
}

const FAMILIES: { names: string[]; patterns: string[]; ignoreMerges: boolean }[] = [
  { names: ["llama-bpe", "llama3", "llama-v3", "falcon3"], patterns: [LLAMA3], ignoreMerges: true },
  { names: ["smaug-bpe", "dbrx"], patterns: [LLAMA3], ignoreMerges: false },
  { names: ["qwen2", "deepseek-r1-qwen"], patterns: [QWEN2], ignoreMerges: false },
  { names: ["gpt-2", "gpt2", "phi-2", "roberta-bpe"], patterns: [GPT2], ignoreMerges: false },
  { names: ["default"], patterns: DEFAULT, ignoreMerges: false },
];

export const SUPPORTED_PRE_TOKENIZERS = FAMILIES.flatMap((f) => f.names);

export function preTokenizerNamed(name = "default"): PreTokenizer {
  const family = FAMILIES.find((f) => f.names.includes(name));
  if (!family) {
    throw new Error(
      `tokenizer.ggml.pre "${name}" is not supported (supported: ${SUPPORTED_PRE_TOKENIZERS.join(", ")})`,
    );
  }
  return { name, patterns: family.patterns.map(compileSplitPattern), ignoreMerges: family.ignoreMerges };
}

/** The words of `text`, in order; their concatenation is the text. */
export function preTokenize(text: string, pre: PreTokenizer): string[] {
  let pieces = [text];
  for (const pattern of pre.patterns) pieces = pieces.flatMap((piece) => splitIntoPieces(piece, pattern));
  return pieces;
}
