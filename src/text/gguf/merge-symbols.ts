// The merge loop both GGUF tokenizers share: the text starts as its characters; the adjacent
// pair with the best priority joins (the leftmost on ties), its neighbours' pairs are
// queued again, and a queued pair whose symbols have changed since is skipped, until no
// pair has a priority. SentencePiece ranks pairs by the score of the token they form
// (highest first), byte-level BPE by the merge's rank (lowest first).
import { BinaryHeap } from "../binary-heap.js";

interface Symbol {
  start: number;
  length: number;
  prev: number;
  next: number;
}

interface Pair {
  left: number;
  right: number;
  priority: number;
  /** Both symbols' lengths when queued: a change makes the pair stale. */
  leftLength: number;
  rightLength: number;
}

/**
 * The pieces `text` merges into. `priority(left, right)` is the pair's priority, or
 * undefined when the two cannot merge; `lowerFirst` says which priorities go first.
 */
export function mergeSymbols(
  text: string,
  priority: (left: string, right: string) => number | undefined,
  lowerFirst: boolean,
): string[] {
  const symbols: Symbol[] = [];
  let position = 0;
  for (const char of text) {
    symbols.push({
      start: position,
      length: char.length,
      prev: symbols.length - 1,
      next: symbols.length + 1,
    });
    position += char.length;
  }
  if (symbols.length === 0) return [];
  symbols[symbols.length - 1]!.next = -1;
  const textOf = (s: Symbol) => text.slice(s.start, s.start + s.length);
  const queue = new BinaryHeap<Pair>((a, b) =>
    a.priority === b.priority
      ? a.left < b.left
      : lowerFirst
        ? a.priority < b.priority
        : a.priority > b.priority,
  );
  const tryPair = (left: number, right: number) => {
    if (left < 0 || right < 0) return;
    const [a, b] = [symbols[left]!, symbols[right]!];
    const p = priority(textOf(a), textOf(b));
    if (p !== undefined)
      queue.push({ left, right, priority: p, leftLength: a.length, rightLength: b.length });
  };
  for (let i = 1; i < symbols.length; i++) tryPair(i - 1, i);
  for (let pair = queue.pop(); pair; pair = queue.pop()) {
    const left = symbols[pair.left]!;
    const right = symbols[pair.right]!;
    if (left.length !== pair.leftLength || right.length !== pair.rightLength || left.next !== pair.right)
      continue;
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next]!.prev = pair.left;
    tryPair(left.prev, pair.left);
    tryPair(pair.left, left.next);
  }
  const pieces: string[] = [];
  for (let i = 0; i !== -1; i = symbols[i]!.next) pieces.push(textOf(symbols[i]!));
  return pieces;
}
