// `infiniset eval --model FILE.arpa`: the perplexity of an ARPA n-gram model on a text,
// every non-blank line scored as a sentence from <s> through </s>.
import { readFileSync } from "node:fs";
import { loadCorpus } from "../../data/corpus.js";
import { readArpa } from "../../models/ngram/arpa.js";
import type { BackoffModel } from "../../models/ngram/backoff.js";

export interface NgramEvalFlags {
  model: string;
  data?: string;
  json?: boolean;
}

/** Reads an ARPA file; errors name the file (and, for a malformed file, the line). */
export function readArpaFile(path: string): BackoffModel {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`ARPA file not found: ${path}`);
    if (code === "EISDIR") throw new Error(`Expected an ARPA file but found a directory: ${path}`);
    throw error;
  }
  try {
    return readArpa(text);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function evalNgramFromFlags(flags: NgramEvalFlags, print: (line: string) => void): void {
  if (flags.data === undefined) throw new Error("eval --model needs --data: the text to score");
  const model = readArpaFile(flags.model);
  const corpus = loadCorpus(flags.data);
  const result = model.perplexity(corpus.text);
  if (flags.json) {
    const { perplexity, perplexityExcludingOovs, tokens, oovs, sentences, logProb } = result;
    print(
      JSON.stringify({
        perplexity,
        perplexityExcludingOovs,
        tokens,
        oovs,
        sentences,
        logProb,
        order: model.order,
        level: model.level,
        data: flags.data,
      }),
    );
    return;
  }
  print(
    `perplexity ${result.perplexity.toFixed(3)} (${result.perplexityExcludingOovs.toFixed(3)} without OOVs) ` +
      `over ${result.tokens} tokens in ${result.sentences} sentences, ${result.oovs} OOV`,
  );
  print(
    `(${model.order}-gram ${model.level}-level model ${flags.model} on ${flags.data}; each sentence ends with </s>)`,
  );
}
