import { DIGIT_WORDS } from "../../data/digit-words.js";

/**
 * The ids (indices into `words`) of the words in `text`: words separated by spaces or commas,
 * case ignored; a word may also be given as its index ("7" for "seven" with the digit words).
 * Anything else is an error naming the word and what is accepted.
 */
export function parseConditionText(text: string, words: readonly string[] = DIGIT_WORDS): number[] {
  const parts = text
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w.length > 0);
  const accepted = `${words.join(", ")} (or 0 to ${words.length - 1})`;
  if (parts.length === 0) throw new Error(`--text is empty; name a digit: ${accepted}`);
  return parts.map((word) => {
    const byName = words.indexOf(word);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(word) && Number(word) < words.length) return Number(word);
    throw new Error(`--text: "${word}" is not a word this model draws; use ${accepted}`);
  });
}
