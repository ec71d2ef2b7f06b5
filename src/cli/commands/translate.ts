import { readFileSync } from "node:fs";
import { Argument, Command } from "commander";
import { writeFileAtomicSync } from "../../formats/atomic-write.js";
import { renderAlignment } from "../../plot/alignment-plot.js";
import { loadTranslator } from "../../train/train-translation.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

interface TranslateFlags {
  checkpoint: string;
  beam: number;
  nBest: number;
  lengthPenalty: number;
  alignment?: string;
  json?: boolean;
}

export function translateCommand(): Command {
  return new Command("translate")
    .description(
      "translate sentences with a model from `infiniset train translate` (no text: one sentence per line of stdin)",
    )
    .addArgument(new Argument("[text...]", "the sentences to translate"))
    .requiredOption(
      "--checkpoint <dir>",
      "a translation run directory (its latest checkpoint) or a checkpoint folder",
    )
    .option("--beam <n>", "beam width (1: greedy)", integerInRange(1, 64), 4)
    .option(
      "--n-best <n>",
      "translations printed per sentence, best first (at most --beam)",
      integerInRange(1, 64),
      1,
    )
    .option(
      "--length-penalty <alpha>",
      "α of the length penalty ((5 + length) / 6)^α",
      numberInRange(0, 10),
      0.6,
    )
    .option(
      "--alignment <file.svg>",
      "write the attention of the first sentence's best translation as a heatmap",
    )
    .option("--json", "one JSON object per sentence: source and translations (text, score, log-probability)")
    .action((texts: string[], flags: TranslateFlags) => {
      const sentences =
        texts.length > 0
          ? texts
          : readFileSync(0, "utf8")
              .split(/\r?\n/)
              .filter((line) => line.trim() !== "");
      if (sentences.length === 0)
        throw new Error("nothing to translate: give sentences as arguments or on stdin");
      if (flags.nBest > flags.beam)
        throw new Error(`--n-best ${flags.nBest} needs --beam of at least ${flags.nBest}`);
      const { translator } = loadTranslator(flags.checkpoint);
      const found = translator.translate(sentences, {
        width: flags.beam,
        nBest: flags.nBest,
        lengthPenalty: flags.lengthPenalty,
      });
      found.forEach((translations, i) => {
        if (flags.json) {
          const list = translations.map((t) => ({
            text: t.text,
            score: t.score,
            logProb: t.logProb,
            finished: t.finished,
          }));
          process.stdout.write(`${JSON.stringify({ source: sentences[i], translations: list })}\n`);
        } else if (flags.nBest === 1) {
          process.stdout.write(`${translations[0]?.text ?? ""}\n`);
        } else {
          for (const t of translations) process.stdout.write(`${t.score.toFixed(4)}\t${t.text}\n`);
        }
      });
      const first = found[0]?.[0];
      if (flags.alignment && first) {
        writeFileAtomicSync(
          flags.alignment,
          renderAlignment({
            sourceTokens: first.sourceTokens,
            targetTokens: first.targetTokens,
            weights: first.attention,
            title: `${sentences[0]} → ${first.text}`,
          }),
        );
        process.stderr.write(`alignment written to ${flags.alignment}\n`);
      }
    });
}
