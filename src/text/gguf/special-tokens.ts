// Splitting text at the special tokens it contains, before the tokenizer proper sees it, as
// llama.cpp does: "<|eot_id|>" in a chat prompt becomes that one token instead of being
// spelled out. Control and unknown tokens are matched only when the caller asks for it
// (text from a user should not be able to inject them); user-defined tokens always are.
import { type GgufVocabulary, TokenType } from "./vocabulary.js";

export type Fragment = { text: string } | { id: number };

export interface SpecialTokens {
  /** Control, unknown and user-defined tokens, longest first. */
  readonly matchable: readonly { id: number; text: string; control: boolean }[];
}

export function specialTokensOf(vocab: GgufVocabulary): SpecialTokens {
  const matchable: { id: number; text: string; control: boolean }[] = [];
  vocab.types?.forEach((type, id) => {
    const text = vocab.tokens[id]!;
    if (text.length === 0) return;
    if (type === TokenType.control || type === TokenType.unknown) matchable.push({ id, text, control: true });
    else if (type === TokenType.userDefined) matchable.push({ id, text, control: false });
  });
  matchable.sort((a, b) => b.text.length - a.text.length || a.id - b.id);
  return { matchable };
}

/** Splits `text` into raw-text fragments and special token ids, in order. */
export function splitAtSpecialTokens(
  text: string,
  special: SpecialTokens,
  parseControl: boolean,
): Fragment[] {
  let fragments: Fragment[] = text.length ? [{ text }] : [];
  for (const token of special.matchable) {
    if (token.control && !parseControl) continue;
    const next: Fragment[] = [];
    for (const fragment of fragments) {
      if (!("text" in fragment) || !fragment.text.includes(token.text)) {
        next.push(fragment);
        continue;
      }
      let position = 0;
      for (;;) {
        const at = fragment.text.indexOf(token.text, position);
        if (at < 0) break;
        if (at > position) next.push({ text: fragment.text.slice(position, at) });
        next.push({ id: token.id });
        position = at + token.text.length;
      }
      if (position < fragment.text.length) next.push({ text: fragment.text.slice(position) });
    }
    fragments = next;
  }
  return fragments;
}
