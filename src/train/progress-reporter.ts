// Shows training progress to a person: on a terminal, a progress bar (cli-progress) with
// the loss, tokens per second and the time left, evaluations printed above it; elsewhere
// (a pipe, a CI log) plain lines, since redrawn bars would fill a file with copies.
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { TrainingCallback } from "./callbacks.js";
import { formatDuration } from "./format-duration.js";

export interface ProgressReporterOptions {
  /** Where to write (default stdout). */
  stream?: NodeJS.WriteStream;
  /** Draw a bar; defaults to whether the stream is a terminal. */
  bar?: boolean;
  /** Without a bar: print a step line every this many steps (default: about 20 lines per run). */
  every?: number;
}

const formatLoss = (loss: number | undefined) => (loss === undefined ? "-" : loss.toFixed(4));
const formatRate = (tokensPerSec: number) => `${Math.round(tokensPerSec)}`;

export function progressReporter(options: ProgressReporterOptions = {}): TrainingCallback {
  const stream = options.stream ?? process.stdout;
  const useBar = options.bar ?? stream.isTTY === true;
  return useBar ? barReporter(stream) : plainReporter(stream, options.every);
}

/** The least time between two redraws of the bar, in milliseconds. */
const REDRAW_MS = 100;

function barReporter(stream: NodeJS.WriteStream): TrainingCallback {
  let bars: MultiBar | undefined;
  let bar: SingleBar | undefined;
  let valLoss: number | undefined;
  let lastDraw = 0;
  // Training runs synchronously, so cli-progress's redraw timer rarely gets a turn: the bar
  // is redrawn from here (MultiBar.update), and log() puts lines above it on that redraw.
  const redraw = (force: boolean) => {
    const now = performance.now();
    if (!bars || (!force && now - lastDraw < REDRAW_MS)) return;
    bars.update();
    lastDraw = now;
  };
  const line = (text: string) => {
    if (!bars) return void stream.write(`${text}\n`);
    bars.log(`${text}\n`);
    redraw(true);
  };
  return {
    onStart(start) {
      bars = new MultiBar(
        {
          stream,
          format: " {bar} {value}/{total} | loss {loss} | val {val} | {rate} tok/s | ETA {timeLeft}",
          // Redraw even when the bar did not change: a line logged above it erased it.
          forceRedraw: true,
          // Leave the terminal's settings alone (cursor, line wrapping; the bar is cut to the
          // width instead). Ctrl-C must stop training at once, and a run killed that way
          // cannot restore them; nor can a handler for the signal run while training holds
          // the thread.
          hideCursor: false,
          linewrap: true,
        },
        Presets.shades_classic,
      );
      // The time left comes from our own step timings: the bar's ETA would count
      // evaluations as steps.
      bar = bars.create(start.iterations, start.startIter, { loss: "-", val: "-", rate: "-", timeLeft: "?" });
      redraw(true);
    },
    onStep(step) {
      bar?.update(step.iter, {
        loss: formatLoss(step.loss),
        val: formatLoss(valLoss),
        rate: formatRate(step.tokensPerSec),
        timeLeft: formatDuration(step.etaMs),
      });
      redraw(step.iter === step.iterations);
    },
    onEvaluation(evaluation) {
      valLoss = evaluation.valLoss;
      line(
        `iter ${evaluation.iter}: train loss ${formatLoss(evaluation.trainLoss)}, ` +
          `val loss ${formatLoss(evaluation.valLoss)}`,
      );
      return undefined;
    },
    onCheckpoint(saved) {
      line(`checkpoint: ${saved.path}`);
    },
    onEnd(end) {
      redraw(true);
      bars?.stop();
      bars = undefined;
      bar = undefined;
      // An error ends the run with a message of its own, on stderr; say nothing more here.
      if (end.reason !== "non-finite-loss" && end.reason !== "error") stream.write(`${end.message}\n`);
    },
  };
}

function plainReporter(stream: NodeJS.WriteStream, every: number | undefined): TrainingCallback {
  let interval = every ?? 1;
  const line = (text: string) => stream.write(`${text}\n`);
  return {
    onStart(start) {
      interval = every ?? Math.max(1, Math.round((start.iterations - start.startIter) / 20));
    },
    onStep(step) {
      if (step.iter % interval !== 0 && step.iter !== step.iterations) return;
      line(
        `iter ${step.iter}/${step.iterations}  loss ${formatLoss(step.loss)}  ` +
          `${formatRate(step.tokensPerSec)} tok/s  ETA ${formatDuration(step.etaMs)}`,
      );
    },
    onEvaluation(evaluation) {
      line(
        `iter ${evaluation.iter}/${evaluation.iterations}  train loss ${formatLoss(evaluation.trainLoss)}  ` +
          `val loss ${formatLoss(evaluation.valLoss)}  elapsed ${formatDuration(evaluation.elapsedMs)}`,
      );
      return undefined;
    },
    onCheckpoint(saved) {
      line(`checkpoint: ${saved.path}`);
    },
    onEnd(end) {
      if (end.reason !== "non-finite-loss" && end.reason !== "error") line(end.message);
    },
  };
}
