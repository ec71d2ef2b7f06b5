// Learning byte-level BPE merges from word counts. Recounting every pair after every merge
// would cost O(corpus) per merge; instead each merge only revisits the words that contain
// the merged pair and updates the pair counts by the difference, and a heap with lazy
// invalidation yields the next most frequent pair.
import { BinaryHeap } from "./binary-heap.js";

/** Token ids 0..255 are the bytes themselves; merge number r creates token 256 + r. */
export const BYTE_TOKEN_COUNT = 256;

// Pair (a, b) is keyed as one exact double; token ids stay below 2^26 (see MAX_VOCAB_SIZE).
const PAIR_KEY_BASE = 67108864;
export const MAX_VOCAB_SIZE = PAIR_KEY_BASE;

export function pairKey(a: number, b: number): number {
  return a * PAIR_KEY_BASE + b;
}

function pairOfKey(key: number): [number, number] {
  const a = Math.floor(key / PAIR_KEY_BASE);
  return [a, key - a * PAIR_KEY_BASE];
}

export interface BpeTrainingProgress {
  /** Merges learned so far. */
  merges: number;
  /** Merges wanted in total (vocabulary size minus the 256 byte tokens). */
  targetMerges: number;
  /** How many times the pair just merged occurred in the corpus. */
  pairCount: number;
}

interface PairEntry {
  count: number;
  key: number;
}

// Most frequent first; equal counts go to the smaller pair so training is deterministic.
function comesFirst(x: PairEntry, y: PairEntry): boolean {
  return x.count > y.count || (x.count === y.count && x.key < y.key);
}

/**
 * Learns up to `mergeCount` merges from words given as byte sequences with their counts.
 * Stops early when no adjacent pair is left anywhere.
 */
export function learnBpeMerges(
  wordBytes: readonly Uint8Array[],
  wordCounts: readonly number[],
  mergeCount: number,
  onProgress?: (progress: BpeTrainingProgress) => void,
): [number, number][] {
  const words: number[][] = wordBytes.map((bytes) => Array.from(bytes));
  const pairCounts = new Map<number, number>();
  // Words that contain (or once contained) each pair; stale entries are skipped when used.
  const pairWords = new Map<number, number[]>();

  const addWordPairs = (w: number, sign: 1 | -1, counts: Map<number, number>) => {
    const word = words[w]!;
    const weight = sign * wordCounts[w]!;
    for (let i = 0; i + 1 < word.length; i++) {
      const key = pairKey(word[i]!, word[i + 1]!);
      counts.set(key, (counts.get(key) ?? 0) + weight);
    }
  };

  for (let w = 0; w < words.length; w++) {
    addWordPairs(w, 1, pairCounts);
    const word = words[w]!;
    for (let i = 0; i + 1 < word.length; i++) {
      const key = pairKey(word[i]!, word[i + 1]!);
      let list = pairWords.get(key);
      if (list === undefined) pairWords.set(key, (list = []));
      if (list[list.length - 1] !== w) list.push(w);
    }
  }

  const heap = new BinaryHeap<PairEntry>(comesFirst);
  for (const [key, count] of pairCounts) heap.push({ count, key });

  const merges: [number, number][] = [];
  const lastVisitedAtMerge = new Int32Array(words.length).fill(-1);
  while (merges.length < mergeCount) {
    const top = heap.pop();
    if (top === undefined) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (current !== top.count) {
      // Stale entry: its count went down since it was pushed. Requeue the true count.
      if (current > 0) heap.push({ count: current, key: top.key });
      continue;
    }

    const [a, b] = pairOfKey(top.key);
    const newToken = BYTE_TOKEN_COUNT + merges.length;
    merges.push([a, b]);
    const deltas = new Map<number, number>();
    for (const w of pairWords.get(top.key) ?? []) {
      if (lastVisitedAtMerge[w] === merges.length) continue;
      lastVisitedAtMerge[w] = merges.length;
      const word = words[w]!;
      const merged: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === a && word[i + 1] === b) {
          merged.push(newToken);
          i++;
        } else {
          merged.push(word[i]!);
        }
      }
      if (merged.length === word.length) continue;
      addWordPairs(w, -1, deltas);
      words[w] = merged;
      addWordPairs(w, 1, deltas);
      // Only pairs that contain the new token can be new to this word.
      for (let i = 0; i + 1 < merged.length; i++) {
        if (merged[i] !== newToken && merged[i + 1] !== newToken) continue;
        const key = pairKey(merged[i]!, merged[i + 1]!);
        let list = pairWords.get(key);
        if (list === undefined) pairWords.set(key, (list = []));
        if (list[list.length - 1] !== w) list.push(w);
      }
    }
    pairWords.delete(top.key);
    for (const [key, delta] of deltas) {
      if (delta === 0) continue;
      const count = (pairCounts.get(key) ?? 0) + delta;
      if (count > 0) pairCounts.set(key, count);
      else pairCounts.delete(key);
      // Decreases are left for lazy invalidation; increases need a fresh heap entry.
      if (delta > 0) heap.push({ count, key });
    }
    onProgress?.({ merges: merges.length, targetMerges: mergeCount, pairCount: top.count });
  }
  return merges;
}
