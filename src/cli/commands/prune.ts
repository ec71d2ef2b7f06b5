import { Command, InvalidArgumentError, Option } from "commander";
import {
  modelBytes,
  openCompressionSource,
  writeCompressedGpt,
} from "../../compress/compressed-checkpoint.js";
import { defaultFinetuneLr, finetuneGpt } from "../../compress/finetune.js";
import {
  type CalibrationBatch,
  pruneStructured,
  type StructuredUnit,
} from "../../compress/prune-structured.js";
import { type PruneScope, pruneUnstructured } from "../../compress/prune-unstructured.js";
import { Gpt } from "../../models/gpt/gpt.js";
import { SeededRng } from "../../random/seeded-rng.js";
import type { TrainingCallback } from "../../train/callbacks.js";
import type { FitResult } from "../../train/fit.js";
import { jsonReporter } from "../../train/json-reporter.js";
import { progressReporter } from "../../train/progress-reporter.js";
import { sampleBatchTensors } from "../../train/text-dataset.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

interface PruneFlags {
  checkpoint: string;
  sparsity: number;
  scope: PruneScope;
  schedule: "gradual" | "oneshot";
  structured?: StructuredUnit;
  finetuneIters: number;
  lr?: number;
  calibrationBatches: number;
  seed: number;
  out: string;
  json?: boolean;
}

export function pruneCommand(): Command {
  return new Command("prune")
    .description(
      "prune a GPT checkpoint: zero the smallest Linear weights (unstructured, held at zero while it fine-tunes), or remove whole attention heads or MLP neurons (--structured: a smaller dense model), then fine-tune on the run's data",
    )
    .requiredOption(
      "--checkpoint <dir>",
      "a GPT run directory (its latest checkpoint) or a checkpoint folder",
    )
    .requiredOption(
      "--sparsity <s>",
      "the share of Linear weights zeroed, or with --structured of each layer's heads or neurons removed",
      (value: string) => {
        const s = Number(value);
        if (!(s > 0 && s < 1)) throw new InvalidArgumentError("expected a number between 0 and 1.");
        return s;
      },
    )
    .addOption(
      new Option("--scope <scope>", "unstructured: rank weights within each matrix, or across all of them")
        .choices(["layer", "global"])
        .default("layer"),
    )
    .addOption(
      new Option(
        "--schedule <schedule>",
        "unstructured: raise sparsity step by step over the first half of fine-tuning (cubic), or prune at once",
      )
        .choices(["gradual", "oneshot"])
        .default("gradual"),
    )
    .addOption(
      new Option("--structured <unit>", "remove whole attention heads or MLP neurons").choices([
        "heads",
        "neurons",
      ]),
    )
    .option(
      "--finetune-iters <n>",
      "fine-tuning steps on the run's data",
      integerInRange(0, 1_000_000_000),
      200,
    )
    .option(
      "--lr <rate>",
      "fine-tuning's peak learning rate (default: 3 × the run's final one)",
      numberInRange(0, 1),
    )
    .option(
      "--calibration-batches <n>",
      "--structured: training batches importance is measured on",
      integerInRange(1, 10_000),
      4,
    )
    .option("--seed <n>", "seed for the calibration batches", integerInRange(0, 2 ** 32 - 1), 0)
    .requiredOption("--out <dir>", "the run directory to write the pruned checkpoint to")
    .option("--json", "print one JSON object per evaluation, then one for the result")
    .action((flags: PruneFlags) => {
      const started = performance.now();
      const print = (line: string) => process.stdout.write(`${line}\n`);
      const source = openCompressionSource(flags.checkpoint);
      const callbacks: TrainingCallback[] = [
        flags.json ? jsonReporter() : progressReporter({ stream: process.stderr }),
      ];
      const lr = flags.lr ?? defaultFinetuneLr(source);
      let model: Gpt;
      let finetune: FitResult | undefined;
      let step: Record<string, unknown>;
      if (flags.structured) {
        const rng = new SeededRng(flags.seed);
        const { batchSize } = source.settings;
        const calibration: CalibrationBatch[] = Array.from({ length: flags.calibrationBatches }, () =>
          sampleBatchTensors(source.dataset().train, batchSize, source.blockSize, rng),
        );
        ({ model } = pruneStructured(source.model, {
          unit: flags.structured,
          fraction: flags.sparsity,
          calibration,
        }));
        if (flags.finetuneIters > 0) {
          finetune = finetuneGpt(model, source, { iterations: flags.finetuneIters, lr, callbacks });
        }
        step = {
          kind: "prune",
          structured: flags.structured,
          removed: flags.sparsity,
          calibrationBatches: flags.calibrationBatches,
          seed: flags.seed,
        };
      } else {
        model = new Gpt(source.model.config);
        model.loadStateDict(source.model.stateDict());
        ({ finetune } = pruneUnstructured(model, source, {
          sparsity: flags.sparsity,
          scope: flags.scope,
          schedule: flags.schedule,
          finetuneIters: flags.finetuneIters,
          lr,
          callbacks,
        }));
        step = { kind: "prune", sparsity: flags.sparsity, scope: flags.scope, schedule: flags.schedule };
      }
      model.eval();
      Object.assign(step, { finetuneIters: flags.finetuneIters, ...(flags.finetuneIters > 0 ? { lr } : {}) });
      const path = writeCompressedGpt(flags.out, source, model, step, source.iter + flags.finetuneIters);
      const result = {
        checkpoint: path,
        parametersBefore: source.model.parameterCount(),
        parameters: model.parameterCount(),
        bytes: modelBytes(model),
        ...(finetune?.lastEvaluation ? { valLoss: finetune.lastEvaluation.valLoss } : {}),
      };
      if (flags.json) {
        print(JSON.stringify(result));
        return;
      }
      const what = flags.structured
        ? `${flags.structured} removed (${flags.sparsity} of each layer's)`
        : `${flags.sparsity} of the Linear weights zeroed (${flags.scope}, ${flags.schedule})`;
      print(
        `wrote ${path}: ${what}; parameters ${result.parametersBefore.toLocaleString("en-US")} → ${result.parameters.toLocaleString("en-US")}` +
          `${result.valLoss === undefined ? "" : `; validation loss after ${flags.finetuneIters} fine-tuning steps ${result.valLoss.toFixed(4)}`}` +
          ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    });
}
