import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Command, Option } from "commander";
import { EVALUATION_FILE, readHeldOut } from "../../classify/classifier-checkpoint.js";
import { writeFileAtomicSync } from "../../formats/atomic-write.js";
import {
  calibrationSvg,
  confusionHeatmapSvg,
  foldsBoxPlotSvg,
  type Predictions,
  precisionRecallSvg,
  rocSvg,
} from "../../plot/evaluation-plots.js";
import { renderLossCurveSvg } from "../../train/plot-svg.js";
import { LOG_FILE } from "../../train/train-language-model.js";
import { readTrainingLog } from "../../train/training-log.js";

interface PlotFlags {
  out?: string;
  title?: string;
  kind?: string;
}

const EVALUATION_PLOTS: Record<string, (p: Predictions, title?: string) => string> = {
  confusion: confusionHeatmapSvg,
  roc: rocSvg,
  pr: precisionRecallSvg,
  calibration: calibrationSvg,
};

/** Writes the evaluation plots of held-out predictions; returns the files written. */
export function writeEvaluationPlots(
  predictions: Predictions,
  dir: string,
  prefix = "",
  kinds?: string[],
): string[] {
  mkdirSync(dir, { recursive: true });
  return (kinds ?? Object.keys(EVALUATION_PLOTS)).map((kind) => {
    const path = join(dir, `${prefix}${kind}.svg`);
    writeFileAtomicSync(path, EVALUATION_PLOTS[kind]!(predictions));
    return path;
  });
}

type Source =
  | { type: "log"; path: string }
  | { type: "evaluation"; path: string }
  | { type: "folds"; path: string };

function classify(input: string): Source {
  if (!existsSync(input)) {
    throw new Error(`${input.endsWith(".jsonl") ? "Training log" : "Plot input"} not found: ${input}`);
  }
  if (statSync(input).isDirectory()) {
    if (existsSync(join(input, LOG_FILE))) return { type: "log", path: join(input, LOG_FILE) };
    if (existsSync(join(input, EVALUATION_FILE)))
      return { type: "evaluation", path: join(input, EVALUATION_FILE) };
    throw new Error(
      `${input} has neither a ${LOG_FILE} (a training run) nor an ${EVALUATION_FILE} (a classifier)`,
    );
  }
  if (input.endsWith(".jsonl")) return { type: "log", path: input };
  if (input.endsWith(".folds.json")) return { type: "folds", path: input };
  return { type: "evaluation", path: input };
}

export function plotCommand(): Command {
  return new Command("plot")
    .description(
      "draw SVG plots: loss curves of a training log, a classifier's confusion matrix, ROC, precision-recall and calibration curves, or a box plot of K-fold metrics",
    )
    .argument(
      "<input>",
      `a training log or run directory (${LOG_FILE}); a classifier checkpoint or evaluation JSON; a .folds.json from --folds`,
    )
    .addOption(
      new Option("--kind <plot>", "classifier: only this plot (default: all four)").choices(
        Object.keys(EVALUATION_PLOTS),
      ),
    )
    .option(
      "--out <path>",
      "the SVG file to write (a log, a folds file, or one --kind), or the folder for a classifier's plots (default: beside the input)",
    )
    .option("--title <text>", "the plot's title")
    .action((input: string, flags: PlotFlags) => {
      const source = classify(input);
      const print = (line: string) => process.stdout.write(`${line}\n`);
      if (source.type === "log") {
        const records = readTrainingLog(source.path);
        const out = flags.out ?? `${source.path.replace(/\.jsonl$/, "")}.svg`;
        writeFileAtomicSync(
          out,
          renderLossCurveSvg(records, { title: flags.title ?? `Training curve: ${source.path}` }),
        );
        const steps = records.filter((r) => r.type === "step").length;
        const evaluations = records.filter((r) => r.type === "eval").length;
        print(`wrote ${out} (${steps} steps, ${evaluations} evaluations)`);
        return;
      }
      if (source.type === "folds") {
        const value = JSON.parse(readFileSync(source.path, "utf8")) as {
          model?: string;
          k?: number;
          folds?: Record<string, number>[];
        };
        if (!Array.isArray(value.folds) || value.folds.length === 0)
          throw new Error(`${source.path} has no folds`);
        const metrics = ["accuracy", "precision", "recall", "f1", "auc"].filter((m) =>
          value.folds!.every((f) => Number.isFinite(f[m])),
        );
        const out = flags.out ?? source.path.replace(/\.json$/, ".svg");
        writeFileAtomicSync(
          out,
          foldsBoxPlotSvg(
            value.folds,
            metrics,
            flags.title ?? `${value.k}-fold cross-validation: ${value.model}`,
          ),
        );
        print(`wrote ${out} (${value.folds.length} folds)`);
        return;
      }
      const predictions = readHeldOut(source.path);
      if (flags.kind !== undefined && flags.out !== undefined) {
        writeFileAtomicSync(flags.out, EVALUATION_PLOTS[flags.kind]!(predictions, flags.title));
        print(`wrote ${flags.out}`);
        return;
      }
      const prefix =
        basename(source.path) === EVALUATION_FILE
          ? ""
          : basename(source.path).replace(/evaluation\.json$|\.json$/, "");
      const written = writeEvaluationPlots(
        predictions,
        flags.out ?? dirname(source.path),
        prefix,
        flags.kind === undefined ? undefined : [flags.kind],
      );
      print(`wrote ${written.join(", ")}`);
    });
}
