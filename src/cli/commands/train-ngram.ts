// `infiniset train ngram`: counts a corpus into an interpolated modified Kneser-Ney model
// and writes it as an ARPA file. A file corpus is streamed, so only the counts need to fit
// in memory, not the text.
import { createReadStream, statSync } from "node:fs";
import { MOBY_DICK } from "../../data/corpus.js";
import { loadMobyDick } from "../../data/moby-dick.js";
import { writeFileAtomicSync } from "../../formats/atomic-write.js";
import { toArpa } from "../../models/ngram/arpa.js";
import type { NgramLevel } from "../../models/ngram/tokenize.js";
import { trainNgramAsync } from "../../models/ngram/train.js";

export interface NgramTrainFlags {
  data?: string;
  order?: number;
  level?: NgramLevel;
  out?: string;
  json?: boolean;
}

/** What `train ngram --json` prints. */
export interface NgramTrainReport {
  model: "ngram";
  order: number;
  level: NgramLevel;
  data: string;
  sentences: number;
  tokens: number;
  vocabSize: number;
  /** Listed n-grams of each length, 1 to order. */
  ngrams: number[];
  out: string;
  bytes: number;
  trainSeconds: number;
}

/** The text of a UTF-8 file in chunks, with the errors `readTextFile` gives for a whole file. */
async function* fileChunks(path: string): AsyncGenerator<string> {
  let size: number;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new Error(`Expected a text file but found a directory: ${path}`);
    size = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`Text file not found: ${path}`);
    throw error;
  }
  if (size === 0) throw new Error(`Text file is empty: ${path}`);
  // fatal: a file that is not UTF-8 is an error, not text with replacement characters.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for await (const chunk of createReadStream(path))
      yield decoder.decode(chunk as Uint8Array, { stream: true });
    yield decoder.decode();
  } catch (error) {
    if (error instanceof TypeError) throw new Error(`Text file is not valid UTF-8: ${path}`);
    throw error;
  }
}

export async function trainNgramFromFlags(
  flags: NgramTrainFlags,
  print: (line: string) => void,
): Promise<void> {
  const { order, level = "char", data = MOBY_DICK, out } = flags;
  if (order === undefined) throw new Error("train ngram needs --order N (the n-gram length, 1 or more)");
  if (out === undefined) throw new Error("train ngram needs --out FILE (the ARPA file to write)");
  const started = performance.now();
  const texts = data === MOBY_DICK ? [loadMobyDick()] : fileChunks(data);
  const model = await trainNgramAsync({ order, level, input: "chunks" }, texts);
  const trainSeconds = (performance.now() - started) / 1000;
  const arpa = toArpa(model);
  writeFileAtomicSync(out, arpa);
  const report: NgramTrainReport = {
    model: "ngram",
    order,
    level,
    data,
    sentences: model.sentences,
    tokens: model.tokens,
    vocabSize: model.vocabulary.size,
    ngrams: Array.from({ length: order }, (_, k) => model.ngramCount(k + 1)),
    out,
    bytes: Buffer.byteLength(arpa),
    trainSeconds,
  };
  if (flags.json) {
    print(JSON.stringify(report));
    return;
  }
  print(
    `${order}-gram ${level}-level Kneser-Ney model of ${data}: ${report.tokens} tokens in ${report.sentences} ` +
      `sentences (lines), vocabulary ${report.vocabSize}, trained in ${trainSeconds.toFixed(1)} s`,
  );
  print(
    `wrote ${out}: ${report.ngrams.map((n, k) => `${n} ${k + 1}-grams`).join(", ")} (${report.bytes} bytes)`,
  );
}
