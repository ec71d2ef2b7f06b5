// A tokenizer's vocabulary as GGUF files store it (the `tokenizer.ggml.*` keys): token
// strings, their scores and types, BPE merges, the special ids and how text is prepared.
// Reading it checks every array against the token count and names the key that is wrong.
import type { GgufFile } from "../../formats/gguf/gguf-file.js";
import { type GgufValue, gguf } from "../../formats/gguf/gguf-values.js";

/** `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type). */
export const TokenType = {
  undefined: 0,
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

/** "llama": SentencePiece BPE with scores and byte fallback; "gpt2": byte-level BPE with merges. */
export type TokenizerModel = "llama" | "gpt2";

export interface GgufVocabulary {
  model: TokenizerModel;
  /** The pre-tokenizer a gpt2 model names (`tokenizer.ggml.pre`), e.g. "llama-bpe", "qwen2", "gpt-2". */
  pre?: string;
  tokens: string[];
  /** Merge priority for llama models: the bigram whose joined token scores highest merges first. */
  scores?: Float32Array;
  types?: Int32Array;
  /** "left right" pairs in merge order, for gpt2 models. */
  merges?: string[];
  bosId?: number;
  eosId?: number;
  unknownId?: number;
  paddingId?: number;
  /** End-of-turn tokens of chat models (`eot_token_id`, `eom_token_id`). */
  eotId?: number;
  eomId?: number;
  addBos?: boolean;
  addEos?: boolean;
  /** Whether a llama tokenizer puts a space before the text (default true). */
  addSpacePrefix?: boolean;
  chatTemplate?: string;
}

const KEY = "tokenizer.ggml";

function optionalId(file: GgufFile, key: string, count: number): number | undefined {
  if (!file.has(key)) return undefined;
  const id = file.number(key);
  // Some converters write -1 (as uint32: 4294967295) for "no such token".
  if (id === -1 || id === 0xffffffff) return undefined;
  if (!Number.isInteger(id) || id < 0 || id >= count) {
    throw new Error(`${file.source}: ${key} is ${id}, outside the ${count} tokens`);
  }
  return id;
}

function optionalBool(file: GgufFile, key: string): boolean | undefined {
  return file.has(key) ? file.bool(key) : undefined;
}

/** The vocabulary of a GGUF file; throws naming the key when something is missing or inconsistent. */
export function vocabularyFromGguf(file: GgufFile): GgufVocabulary {
  const model = file.string(`${KEY}.model`);
  if (model !== "llama" && model !== "gpt2") {
    throw new Error(`${file.source}: tokenizer model "${model}" is not supported (llama and gpt2 are)`);
  }
  const tokens = file.strings(`${KEY}.tokens`).map((t, i) => {
    if (typeof t !== "string") throw new Error(`${file.source}: ${KEY}.tokens[${i}] is not valid UTF-8`);
    return t;
  });
  const count = tokens.length;
  const sized = <T extends { length: number }>(key: string, values: T): T => {
    if (values.length !== count) {
      throw new Error(`${file.source}: ${key} has ${values.length} entries for ${count} tokens`);
    }
    return values;
  };
  const vocab: GgufVocabulary = { model, tokens };
  if (file.has(`${KEY}.pre`)) vocab.pre = file.string(`${KEY}.pre`);
  if (file.has(`${KEY}.scores`)) {
    vocab.scores = sized(`${KEY}.scores`, Float32Array.from(file.numbers(`${KEY}.scores`)));
  }
  if (file.has(`${KEY}.token_type`)) {
    vocab.types = sized(`${KEY}.token_type`, Int32Array.from(file.numbers(`${KEY}.token_type`)));
  }
  if (file.has(`${KEY}.merges`)) {
    vocab.merges = file.strings(`${KEY}.merges`).map((m, i) => {
      if (typeof m !== "string") throw new Error(`${file.source}: ${KEY}.merges[${i}] is not valid UTF-8`);
      return m;
    });
  }
  if (model === "gpt2" && !vocab.merges)
    throw new Error(`${file.source}: a gpt2 tokenizer needs ${KEY}.merges`);
  const ids = {
    bosId: "bos_token_id",
    eosId: "eos_token_id",
    unknownId: "unknown_token_id",
    paddingId: "padding_token_id",
    eotId: "eot_token_id",
    eomId: "eom_token_id",
  } as const;
  for (const [field, key] of Object.entries(ids)) {
    const id = optionalId(file, `${KEY}.${key}`, count);
    if (id !== undefined) vocab[field as keyof typeof ids] = id;
  }
  const addBos = optionalBool(file, `${KEY}.add_bos_token`);
  if (addBos !== undefined) vocab.addBos = addBos;
  const addEos = optionalBool(file, `${KEY}.add_eos_token`);
  if (addEos !== undefined) vocab.addEos = addEos;
  const prefix = optionalBool(file, `${KEY}.add_space_prefix`);
  if (prefix !== undefined) vocab.addSpacePrefix = prefix;
  if (file.has("tokenizer.chat_template")) vocab.chatTemplate = file.string("tokenizer.chat_template");
  return vocab;
}

/** The metadata entries that store `vocab` in a GGUF file (what vocabularyFromGguf reads). */
export function vocabularyMetadata(vocab: GgufVocabulary): [string, GgufValue][] {
  const entries: [string, GgufValue][] = [[`${KEY}.model`, gguf.string(vocab.model)]];
  if (vocab.pre !== undefined) entries.push([`${KEY}.pre`, gguf.string(vocab.pre)]);
  entries.push([`${KEY}.tokens`, gguf.strings(vocab.tokens)]);
  if (vocab.scores) entries.push([`${KEY}.scores`, gguf.float32s(vocab.scores)]);
  if (vocab.types) entries.push([`${KEY}.token_type`, gguf.int32s(vocab.types)]);
  if (vocab.merges) entries.push([`${KEY}.merges`, gguf.strings(vocab.merges)]);
  const ids: [string, number | undefined][] = [
    ["bos_token_id", vocab.bosId],
    ["eos_token_id", vocab.eosId],
    ["unknown_token_id", vocab.unknownId],
    ["padding_token_id", vocab.paddingId],
    ["eot_token_id", vocab.eotId],
    ["eom_token_id", vocab.eomId],
  ];
  for (const [key, id] of ids) if (id !== undefined) entries.push([`${KEY}.${key}`, gguf.uint32(id)]);
  if (vocab.addBos !== undefined) entries.push([`${KEY}.add_bos_token`, gguf.bool(vocab.addBos)]);
  if (vocab.addEos !== undefined) entries.push([`${KEY}.add_eos_token`, gguf.bool(vocab.addEos)]);
  if (vocab.addSpacePrefix !== undefined) {
    entries.push([`${KEY}.add_space_prefix`, gguf.bool(vocab.addSpacePrefix)]);
  }
  if (vocab.chatTemplate !== undefined)
    entries.push(["tokenizer.chat_template", gguf.string(vocab.chatTemplate)]);
  return entries;
}
