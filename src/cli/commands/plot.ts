import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { writeFileAtomicSync } from "../../formats/atomic-write.js";
import { renderLossCurveSvg } from "../../train/plot-svg.js";
import { LOG_FILE } from "../../train/train-gpt.js";
import { readTrainingLog } from "../../train/training-log.js";

interface PlotFlags {
  out?: string;
  title?: string;
}

export function plotCommand(): Command {
  return new Command("plot")
    .description("draw the loss curves of a training log (log.jsonl) as an SVG file")
    .argument("<log>", `a training log, or a run directory with a ${LOG_FILE}`)
    .option("--out <file>", "the SVG file to write (default: the log's name with .svg)")
    .option("--title <text>", "the plot's title")
    .action((log: string, flags: PlotFlags) => {
      const path = existsSync(log) && statSync(log).isDirectory() ? join(log, LOG_FILE) : log;
      const records = readTrainingLog(path);
      const out = flags.out ?? `${path.replace(/\.jsonl$/, "")}.svg`;
      writeFileAtomicSync(
        out,
        renderLossCurveSvg(records, { title: flags.title ?? `Training curve: ${path}` }),
      );
      const steps = records.filter((r) => r.type === "step").length;
      const evaluations = records.filter((r) => r.type === "eval").length;
      process.stdout.write(`wrote ${out} (${steps} steps, ${evaluations} evaluations)\n`);
    });
}
