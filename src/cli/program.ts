import { Command } from "commander";
import { attentionCommand } from "./commands/attention.js";
import { batchCommand } from "./commands/batch.js";
import { captionCommand } from "./commands/caption.js";
import { chatCommand } from "./commands/chat.js";
import { demoCommand } from "./commands/demo.js";
import { detectCommand } from "./commands/detect.js";
import { distillCommand } from "./commands/distill.js";
import { doctorCommand } from "./commands/doctor.js";
import { drawCommand } from "./commands/draw.js";
import { evalCommand } from "./commands/eval.js";
import { explainCommand } from "./commands/explain.js";
import { exportCommand } from "./commands/export.js";
import { generateCommand } from "./commands/generate.js";
import { inspectCommand } from "./commands/inspect.js";
import { isaCommand } from "./commands/isa.js";
import { plotCommand } from "./commands/plot.js";
import { pruneCommand } from "./commands/prune.js";
import { quantizeCommand } from "./commands/quantize.js";
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { trainCommand } from "./commands/train.js";
import { transcribeCommand } from "./commands/transcribe.js";
import { translateCommand } from "./commands/translate.js";
import { tuneCommand } from "./commands/tune.js";
import { workerCommand } from "./commands/worker.js";
import { packageVersion } from "./package-version.js";

/** The `infiniset` command and its subcommands; a new command adds itself to `subcommands`. */
export function createProgram(): Command {
  const program = new Command("infiniset")
    .description("infiniset: an engine for language models built on an open instruction set")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .configureOutput({ outputError: (text, write) => write(`infiniset: ${text}`) })
    .showSuggestionAfterError();
  const subcommands = [
    isaCommand(),
    demoCommand(),
    explainCommand(),
    trainCommand(),
    generateCommand(),
    captionCommand(),
    detectCommand(),
    drawCommand(),
    attentionCommand(),
    evalCommand(),
    plotCommand(),
    serveCommand(),
    doctorCommand(),
    tuneCommand(),
    workerCommand(),
    batchCommand(),
    runCommand(),
    chatCommand(),
    inspectCommand(),
    exportCommand(),
    quantizeCommand(),
    pruneCommand(),
    distillCommand(),
    translateCommand(),
    transcribeCommand(),
  ];
  // addCommand (unlike .command()) does not pass settings down; copy them so that every
  // command words its errors and help option the same way.
  for (const command of subcommands) program.addCommand(command.copyInheritedSettings(program));
  return program;
}
