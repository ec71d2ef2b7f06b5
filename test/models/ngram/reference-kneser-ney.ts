/**
 * A deliberately naive interpolated modified Kneser-Ney estimate, written straight from
 * the definitions with string-keyed Maps, to cross-check the typed-array implementation.
 * Slow and simple on purpose; used on tiny corpora only.
 */
const SEP = "\u0001";

export function referenceKneserNey(order: number, sentences: readonly (readonly string[])[]) {
  // counts[k]: n-gram (tokens joined by SEP) → raw count (highest order and <s>-initial)
  const counts: Map<string, number>[] = Array.from({ length: order + 1 }, () => new Map());
  const vocabulary = new Set<string>(["<unk>", "</s>"]);
  for (const sentence of sentences) {
    const padded = ["<s>", ...sentence, "</s>"];
    for (const token of sentence) vocabulary.add(token);
    for (let j = 1; j < padded.length; j++) {
      const gram = padded.slice(Math.max(0, j - order + 1), j + 1);
      const key = gram.join(SEP);
      counts[gram.length]!.set(key, (counts[gram.length]!.get(key) ?? 0) + 1);
    }
  }
  // Continuation counts: the number of distinct left extensions.
  for (let k = order - 1; k >= 1; k--) {
    for (const key of counts[k + 1]!.keys()) {
      const suffix = key.split(SEP).slice(1).join(SEP);
      counts[k]!.set(suffix, (counts[k]!.get(suffix) ?? 0) + 1);
    }
  }
  const discounts = counts.map((table) => {
    const n = [0, 0, 0, 0, 0];
    for (const c of table.values()) if (c <= 4) n[c]!++;
    const y = n[1]! / (n[1]! + 2 * n[2]!);
    const d = [1 - (2 * y * n[2]!) / n[1]!, 2 - (3 * y * n[3]!) / n[2]!, 3 - (4 * y * n[4]!) / n[3]!];
    return d.every((x, i) => Number.isFinite(x) && x >= 0 && x <= i + 1) ? d : [0.5, 1, 1.5];
  });
  const discount = (k: number, c: number) => (c === 0 ? 0 : discounts[k]![Math.min(c, 3) - 1]!);

  const prob = (history: readonly string[], word: string): number => {
    let p = 1 / vocabulary.size;
    for (let k = 1; k <= order; k++) {
      if (k - 1 > history.length) break;
      const context = history.slice(history.length - (k - 1));
      let total = 0;
      let weight = 0;
      let seen = 0;
      for (const [key, c] of counts[k]!) {
        const tokens = key.split(SEP);
        if (tokens.slice(0, k - 1).join(SEP) !== context.join(SEP)) continue;
        total += c;
        weight += discount(k, c);
        if (tokens[k - 1] === word) seen = c - discount(k, c);
      }
      if (total === 0) break;
      p = seen / total + (weight / total) * p;
    }
    return p;
  };
  return { prob, vocabulary: [...vocabulary] };
}
