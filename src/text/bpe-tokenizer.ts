// Byte-level BPE in the manner of GPT-2: text is split into pieces by a regex, each piece
// becomes its (lossless) UTF-8 bytes, which are the 256 base tokens, and learned merges
// join adjacent tokens, lowest merge rank first. Because everything is bytes, any string
// encodes and decodes back exactly, with no unknown token.
import { BinaryHeap } from "./binary-heap.js";
import {
  type BpeTrainingProgress,
  BYTE_TOKEN_COUNT,
  learnBpeMerges,
  MAX_VOCAB_SIZE,
  pairKey,
} from "./bpe-training.js";
import { decodeLosslessUtf8, encodeLosslessUtf8 } from "./lossless-utf8.js";
import { compileSplitPattern, GPT2_SPLIT_PATTERN, splitIntoPieces } from "./pretokenize.js";

export interface BpeTokenizerJson {
  type: "byte-level-bpe";
  version: 1;
  /** Pre-tokenization regex source, compiled with the flags "gu". */
  pattern: string;
  /** Merge r joins tokens [a, b] into token 256 + r. */
  merges: [number, number][];
}

export interface TrainBpeOptions {
  /** 256 byte tokens plus the merges to learn; training stops early if no pair is left. */
  vocabSize: number;
  /** Pre-tokenization regex source; GPT-2's by default. */
  pattern?: string;
  onProgress?: (progress: BpeTrainingProgress) => void;
}

// Heap entries while encoding a piece: merge rank in the high bits, position in the low
// bits, so the smallest number is the lowest-ranked merge at the leftmost position.
const POSITION_BASE = 67108864;
const PIECE_CACHE_LIMIT = 65536;

export class BpeTokenizer {
  readonly vocabSize: number;
  readonly pattern: string;
  private readonly merges: readonly (readonly [number, number])[];
  private readonly splitPattern: RegExp;
  private readonly rankOfPair = new Map<number, number>();
  private readonly bytesOfToken: Uint8Array[] = [];
  private readonly pieceCache = new Map<string, readonly number[]>();

  constructor(merges: readonly (readonly [number, number])[], pattern: string = GPT2_SPLIT_PATTERN) {
    if (BYTE_TOKEN_COUNT + merges.length > MAX_VOCAB_SIZE) {
      throw new Error(`BpeTokenizer: at most ${MAX_VOCAB_SIZE - BYTE_TOKEN_COUNT} merges are supported`);
    }
    this.pattern = pattern;
    this.splitPattern = compileSplitPattern(pattern);
    this.merges = merges.map(([a, b]) => [a, b] as const);
    for (let byte = 0; byte < BYTE_TOKEN_COUNT; byte++) this.bytesOfToken.push(Uint8Array.of(byte));
    merges.forEach((merge, rank) => {
      const newToken = BYTE_TOKEN_COUNT + rank;
      if (!Array.isArray(merge) || merge.length !== 2) {
        throw new Error(`BpeTokenizer: merge ${rank} must be a pair [a, b]`);
      }
      const [a, b] = merge;
      for (const id of [a, b]) {
        if (!Number.isInteger(id) || id < 0 || id >= newToken) {
          throw new Error(
            `BpeTokenizer: merge ${rank} refers to token ${id}, which does not exist before token ${newToken}`,
          );
        }
      }
      const key = pairKey(a, b);
      if (this.rankOfPair.has(key))
        throw new Error(`BpeTokenizer: merge ${rank} repeats the pair [${a}, ${b}]`);
      this.rankOfPair.set(key, rank);
      const left = this.bytesOfToken[a]!;
      const right = this.bytesOfToken[b]!;
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left);
      joined.set(right, left.length);
      this.bytesOfToken.push(joined);
    });
    this.vocabSize = this.bytesOfToken.length;
  }

  /** Token ids for `text`; decode(encode(text)) === text for every string. */
  encode(text: string): Int32Array {
    const ids: number[] = [];
    for (const piece of splitIntoPieces(text, this.splitPattern)) {
      for (const id of this.encodePiece(piece)) ids.push(id);
    }
    return Int32Array.from(ids);
  }

  /** The text of a token sequence; byte sequences that are not valid UTF-8 decode to U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    return decodeLosslessUtf8(this.decodeBytes(ids));
  }

  /** The raw bytes of a token sequence, for callers that stream text and decode themselves. */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    let length = 0;
    for (let i = 0; i < ids.length; i++) length += this.tokenBytes(ids[i]!).length;
    const bytes = new Uint8Array(length);
    let offset = 0;
    for (let i = 0; i < ids.length; i++) {
      const tokenBytes = this.bytesOfToken[ids[i]!]!;
      bytes.set(tokenBytes, offset);
      offset += tokenBytes.length;
    }
    return bytes;
  }

  /** The bytes token `id` stands for. */
  tokenBytes(id: number): Uint8Array {
    const bytes = Number.isInteger(id) ? this.bytesOfToken[id] : undefined;
    if (bytes === undefined) {
      throw new Error(`BpeTokenizer: token id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    }
    return bytes;
  }

  toJSON(): BpeTokenizerJson {
    return {
      type: "byte-level-bpe",
      version: 1,
      pattern: this.pattern,
      merges: this.merges.map(([a, b]) => [a, b]),
    };
  }

  static fromJSON(json: BpeTokenizerJson): BpeTokenizer {
    if (json === null || typeof json !== "object" || json.type !== "byte-level-bpe") {
      throw new Error('BpeTokenizer.fromJSON: expected an object with type "byte-level-bpe"');
    }
    if (json.version !== 1) throw new Error(`BpeTokenizer.fromJSON: unsupported version ${json.version}`);
    if (typeof json.pattern !== "string") throw new Error("BpeTokenizer.fromJSON: pattern must be a string");
    if (!Array.isArray(json.merges)) throw new Error("BpeTokenizer.fromJSON: merges must be an array");
    return new BpeTokenizer(json.merges, json.pattern);
  }

  private encodePiece(piece: string): readonly number[] {
    const cached = this.pieceCache.get(piece);
    if (cached !== undefined) return cached;
    const ids = this.mergePieceBytes(encodeLosslessUtf8(piece));
    if (this.pieceCache.size >= PIECE_CACHE_LIMIT) this.pieceCache.clear();
    this.pieceCache.set(piece, ids);
    return ids;
  }

  // Applies merges in rank order over a linked list of tokens. Merging the lowest-ranked
  // pair, leftmost first, gives the same result as the textbook "merge all occurrences of
  // the best pair, repeat" loop, but in O(n log n) even for very long pieces.
  private mergePieceBytes(bytes: Uint8Array): number[] {
    const n = bytes.length;
    if (n > POSITION_BASE) throw new Error(`BpeTokenizer: a single piece of ${n} bytes is too long`);
    const tokens = Int32Array.from(bytes);
    const next = new Int32Array(n);
    const previous = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      previous[i] = i - 1;
    }
    const candidates = new BinaryHeap<number>((x, y) => x < y);
    const pushCandidate = (position: number) => {
      if (position < 0 || next[position]! < 0) return;
      const after = next[position]!;
      const rank = this.rankOfPair.get(pairKey(tokens[position]!, tokens[after]!));
      if (rank !== undefined) candidates.push(rank * POSITION_BASE + position);
    };
    for (let i = 0; i + 1 < n; i++) pushCandidate(i);

    for (let entry = candidates.pop(); entry !== undefined; entry = candidates.pop()) {
      const rank = Math.floor(entry / POSITION_BASE);
      const position = entry - rank * POSITION_BASE;
      const after = next[position]!;
      // Skip entries made stale by an earlier merge at or next to this position.
      if (tokens[position]! < 0 || after < 0) continue;
      if (this.rankOfPair.get(pairKey(tokens[position]!, tokens[after]!)) !== rank) continue;
      tokens[position] = BYTE_TOKEN_COUNT + rank;
      tokens[after] = -1;
      next[position] = next[after]!;
      if (next[after]! >= 0) previous[next[after]!] = position;
      pushCandidate(previous[position]!);
      pushCandidate(position);
    }
    const ids: number[] = [];
    for (let i = 0; i >= 0 && i < n; i = next[i]!) ids.push(tokens[i]!);
    return ids;
  }
}

/** Learns a byte-level BPE tokenizer from a corpus. */
export function trainBpe(corpus: string, options: TrainBpeOptions): BpeTokenizer {
  const { vocabSize, pattern = GPT2_SPLIT_PATTERN, onProgress } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < BYTE_TOKEN_COUNT || vocabSize > MAX_VOCAB_SIZE) {
    throw new Error(
      `trainBpe: vocabSize must be an integer in [${BYTE_TOKEN_COUNT}, ${MAX_VOCAB_SIZE}], got ${vocabSize}`,
    );
  }
  const pieceCounts = new Map<string, number>();
  for (const piece of splitIntoPieces(corpus, compileSplitPattern(pattern))) {
    pieceCounts.set(piece, (pieceCounts.get(piece) ?? 0) + 1);
  }
  const wordBytes: Uint8Array[] = [];
  const wordCounts: number[] = [];
  for (const [piece, count] of pieceCounts) {
    wordBytes.push(encodeLosslessUtf8(piece));
    wordCounts.push(count);
  }
  const merges = learnBpeMerges(wordBytes, wordCounts, vocabSize - BYTE_TOKEN_COUNT, onProgress);
  return new BpeTokenizer(merges, pattern);
}
