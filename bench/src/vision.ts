// npm run bench -- vision [--tasks step,mnist,augment,shapes,draw] [--iters 20] [--warmup 3]
//                         [--rounds 2] [--targets native,wasm] [--epochs 30] [--ablation-epochs 6]
//                         [--judge DIR] [--judge-epochs 6] [--draw-epochs 30] [--per-digit 100] [--json]
//
// The vision figures of issue 16, one record per figure with the fields bench, impl, task,
// metric, value, msPerIter:
//
// - step: milliseconds per training step of the MNIST CNN (`train cnn`'s default model, batch
//   64, Adam) on each infiniset target and on PyTorch (bench/pytorch/mnist_cnn.py), on 1 and
//   N threads. Each timing runs in a child process of its own, infiniset and PyTorch
//   alternating for --rounds rounds; a row keeps its best round. Wall time (median step) and
//   the process's CPU time per step (median) are both reported: on a shared machine the CPU
//   time is what a step costs, the wall time also counts waiting for a core.
// - mnist: `train cnn --data mnist` with the defaults (--epochs), its held-out accuracy on
//   the 2,000 test digits of the standard split, and its ms per step.
// - shapes: the detector, the captioner and the retrieval model trained on --scenes generated
//   scenes (default 4000; 500 held out) for --shapes-epochs (30) at width --embd (64), as
//   `train detector|captioner|retrieval --scenes 4000 --embd 64 --epochs 30`: held-out
//   mAP@0.5, exact match and BLEU-4, recall@1 among 100; the captioner and retrieval on
//   --text-scenes (8000) for --text-epochs (24).
// - draw: text-to-image. A conditional VAE (`train cvae --data mnist`, --draw-epochs, default
//   30) draws --per-digit (100) digits of each name, "zero" … "nine"; a trained MNIST CNN
//   (--judge DIR, else one trained here for --judge-epochs, default 6, without augmentation)
//   classifies them: the fraction classified as the digit asked for, overall and per digit,
//   with the judge's own held-out accuracy; and their variety, the mean distance between two
//   drawings of a digit over that between two of its held-out real digits (1: as varied).
// - augment: the ablation: the same model trained for --ablation-epochs with each
//   augmentation alone, all of them, and none; held-out accuracy of each.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DIGIT_WORDS } from "../../dist/src/data/digit-words.js";
import { loadMnist, mnistSplit } from "../../dist/src/data/mnist.js";
import { selectImages } from "../../dist/src/image/images.js";
import { availableTargets, crossEntropy, manualSeed, tensor, withTarget } from "../../dist/src/index.js";
import { Cnn } from "../../dist/src/models/cnn/cnn.js";
import { Adam } from "../../dist/src/optim/adam.js";
import { SeededRng } from "../../dist/src/random/seeded-rng.js";
import { createNativeTarget, createWasmTarget, type Target } from "../../dist/src/targets/index.js";
import { trainDetector } from "../../dist/src/vision/train-detector.js";
import {
  DIGIT_GENERATOR_DEFAULTS,
  drawingVariety,
  judgeDrawings,
  trainDigitGenerator,
} from "../../dist/src/vision/train-digit-generator.js";
import {
  accuracyOf,
  argmaxRows,
  classProbabilities,
  IMAGE_CLASSIFIER_DEFAULTS,
  type ImageClassifierSettings,
  loadImageClassifier,
  trainImageClassifier,
} from "../../dist/src/vision/train-image-classifier.js";
import {
  SHAPES_DEFAULTS,
  type ShapesSettings,
  shapesData,
  trainCaptioner,
  trainRetrieval,
} from "../../dist/src/vision/train-multimodal.js";
import { probeTorch } from "./peers.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";

const TASKS = ["step", "mnist", "augment", "shapes", "draw"] as const;
const BATCH = 64;

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`vision: ${name} needs a value`);
  return value;
}

function count(args: string[], name: string, fallback: number, least: number): number {
  const text = option(args, name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < least)
    throw new Error(`vision: ${name} needs a whole number >= ${least}`);
  return value;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface StepTimes {
  msPerIter: number;
  cpuMsPerIter: number;
  minMs: number;
}

function withThreads(target: Target, threads: number): Target | undefined {
  if (target.name === "wasm") return createWasmTarget({ threads });
  if (target.name === "native") return createNativeTarget({ threads });
  return undefined;
}

/** The child's side: the training step of `train cnn` on one target, timed. */
function runStepChild(context: BenchContext, spec: string, warmup: number, iters: number): void {
  const [name, threadText] = spec.split(":");
  const registered = availableTargets().find((t) => t.name === name);
  if (!registered) throw new Error(`vision: no target named "${name}"`);
  const target = withThreads(registered, Number(threadText)) ?? registered;
  withTarget(target, () => {
    manualSeed(0);
    const d = IMAGE_CLASSIFIER_DEFAULTS;
    const model = new Cnn(
      {
        channels: 1,
        height: 28,
        width: 28,
        classes: 10,
        convChannels: d.convChannels,
        kernelSize: 3,
        hidden: d.hidden,
        dropout: d.dropout,
        batchNorm: d.batchNorm,
        mean: [0.1307],
        std: [0.3081],
      },
      { rng: new SeededRng(0) },
    );
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
    const rng = new SeededRng(1);
    const x = tensor(
      Float32Array.from({ length: BATCH * 784 }, () => rng.nextFloat()),
      [BATCH, 1, 28, 28],
    );
    const y = tensor(
      Int32Array.from({ length: BATCH }, () => rng.nextInt(10)),
      [BATCH],
      { dtype: "int32" },
    );
    const step = () => {
      const result = optimizer.stepOn(crossEntropy(model.forward(x), y), {
        alsoCompute: model.stagedValues(),
      });
      model.commitStaged();
      return result.loss;
    };
    for (let i = 0; i < warmup; i++) step();
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < iters; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      step();
      times.push(performance.now() - t0);
      const used = process.cpuUsage(c0);
      cpu.push((used.user + used.system) / 1000);
    }
    context.emit({
      bench: "vision",
      impl: `infiniset-${name}`,
      msPerIter: median(times),
      cpuMsPerIter: median(cpu),
      minMs: Math.min(...times),
    });
  });
}

function timeInfinisetStep(target: string, threads: number, warmup: number, iters: number): StepTimes {
  const runJs = fileURLToPath(new URL("./run.js", import.meta.url));
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      runJs,
      "vision",
      "--json",
      "--child",
      `${target}:${threads}`,
      "--warmup",
      String(warmup),
      "--iters",
      String(iters),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 1_800_000 },
  );
  if (child.status !== 0)
    throw new Error(
      `the child timing ${target} on ${threads} thread(s) exited with ${child.status ?? child.signal}`,
    );
  return JSON.parse(child.stdout.trim().split("\n").pop()!) as StepTimes;
}

function timeTorchStep(
  python: string,
  threads: number,
  warmup: number,
  iters: number,
): StepTimes & { torch: string } {
  const script = fileURLToPath(new URL("../pytorch/mnist_cnn.py", import.meta.url));
  const child = spawnSync(
    python,
    [
      script,
      "--threads",
      String(threads),
      "--batch",
      String(BATCH),
      "--warmup",
      String(warmup),
      "--iters",
      String(iters),
    ],
    // OpenMP threads that spin between regions starve each other on a shared machine.
    { encoding: "utf8", timeout: 1_800_000, env: { OMP_WAIT_POLICY: "PASSIVE", ...process.env } },
  );
  if (child.status !== 0)
    throw new Error(`bench/pytorch/mnist_cnn.py failed: ${(child.stderr || "").trim().split("\n").pop()}`);
  return JSON.parse(child.stdout.trim().split("\n").pop()!);
}

async function stepTask(
  context: BenchContext,
  warmup: number,
  iters: number,
  rounds: number,
  targets: string[] | undefined,
) {
  const threadCounts = context.threads > 1 ? [1, context.threads] : [1];
  const torch = probeTorch();
  if (!torch.ok) context.log(torch.note);
  const names = availableTargets()
    .map((t) => t.name)
    .filter((n) => n !== "ref" && n !== "webgpu" && (!targets || targets.includes(n)));
  for (const threads of threadCounts) {
    const best = new Map<string, StepTimes>();
    const keep = (impl: string, t: StepTimes) => {
      const old = best.get(impl);
      if (!old || t.msPerIter < old.msPerIter)
        best.set(impl, { ...t, cpuMsPerIter: Math.min(t.cpuMsPerIter, old?.cpuMsPerIter ?? Infinity) });
    };
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        context.log(`step: infiniset ${name}, ${threads} thread(s), round ${round + 1}/${rounds}`);
        keep(`infiniset-${name}`, timeInfinisetStep(name, threads, warmup, iters));
      }
      if (torch.ok) {
        context.log(
          `step: pytorch ${torch.value.version}, ${threads} thread(s), round ${round + 1}/${rounds}`,
        );
        keep("pytorch", timeTorchStep(torch.value.python, threads, warmup, iters));
      }
    }
    for (const [impl, t] of best) {
      context.emit({
        bench: "vision",
        impl,
        task: "mnist-step",
        metric: "msPerStep",
        value: t.msPerIter,
        msPerIter: t.msPerIter,
        cpuMsPerIter: t.cpuMsPerIter,
        threads,
        batch: BATCH,
      });
    }
  }
}

function mnistData() {
  const digits = loadMnist();
  const { train, test } = mnistSplit(digits.labels);
  return { train: selectImages(digits, train), test: selectImages(digits, test) };
}

function trainAndReport(context: BenchContext, task: string, settings: ImageClassifierSettings) {
  const started = performance.now();
  const { history } = trainImageClassifier(mnistData(), settings, {
    onEpoch: (r) =>
      context.log(
        `${task}: epoch ${r.epoch}/${settings.epochs}, accuracy ${(100 * r.testAccuracy).toFixed(2)}%`,
      ),
  });
  const last = history[history.length - 1]!;
  context.emit({
    bench: "vision",
    impl: "infiniset",
    task,
    metric: "testAccuracy",
    value: last.testAccuracy,
    msPerIter: last.msPerStep,
    epochs: settings.epochs,
    augment: settings.augment,
    batchNorm: settings.batchNorm,
    minutes: (performance.now() - started) / 60000,
  });
}

function shapesTask(context: BenchContext, args: string[]) {
  const embd = count(args, "--embd", 64, 4);
  const settings: ShapesSettings = {
    ...SHAPES_DEFAULTS,
    trainScenes: count(args, "--scenes", 4000, 100),
    testScenes: 500,
    // The detector reaches mAP@0.5 0.74 after 12 epochs, 0.98 after 30.
    epochs: count(args, "--shapes-epochs", 30, 1),
    convChannels: [embd / 4, embd / 2, embd],
  };
  // The models that read captions learn held-out colour–shape pairs after more scenes and epochs.
  const captioned: ShapesSettings = {
    ...settings,
    trainScenes: count(args, "--text-scenes", 8000, 100),
    epochs: count(args, "--text-epochs", 24, 1),
  };
  const runs = [
    { task: "detect", train: trainDetector, metrics: ["map"], settings },
    { task: "caption", train: trainCaptioner, metrics: ["exactMatch", "bleu4"], settings: captioned },
    { task: "retrieve", train: trainRetrieval, metrics: ["recallAt1"], settings: captioned },
  ] as const;
  for (const { task, train, metrics, settings } of runs) {
    const started = performance.now();
    const { history } = train(
      settings,
      { onEpoch: (r) => context.log(`${task}: ${JSON.stringify(r)}`) },
      shapesData(settings.trainScenes, settings.testScenes),
    );
    const last = history[history.length - 1]!;
    for (const metric of metrics) {
      context.emit({
        bench: "vision",
        impl: "infiniset",
        task,
        metric,
        value: last[metric]!,
        msPerIter: last.msPerStep,
        epochs: settings.epochs,
        scenes: settings.trainScenes,
        minutes: (performance.now() - started) / 60000,
      });
    }
  }
}

function drawTask(context: BenchContext, args: string[]) {
  const data = mnistData();
  const judgeDir = option(args, "--judge");
  const judgeEpochs = count(args, "--judge-epochs", 6, 1);
  const judge =
    judgeDir === undefined
      ? trainImageClassifier(
          data,
          { ...IMAGE_CLASSIFIER_DEFAULTS, epochs: judgeEpochs, augment: "" },
          {
            onEpoch: (r) =>
              context.log(
                `draw: judge epoch ${r.epoch}/${judgeEpochs}, accuracy ${(100 * r.testAccuracy).toFixed(2)}%`,
              ),
          },
        ).model
      : loadImageClassifier(judgeDir).model;
  const judgeAccuracy = accuracyOf(argmaxRows(classProbabilities(judge, data.test), 10), data.test.labels);
  context.log(
    `draw: the judge classifies ${(100 * judgeAccuracy).toFixed(2)}% of the 2,000 held-out digits right`,
  );
  const epochs = count(args, "--draw-epochs", DIGIT_GENERATOR_DEFAULTS.epochs, 1);
  const started = performance.now();
  const { model, history } = trainDigitGenerator(
    data,
    { ...DIGIT_GENERATOR_DEFAULTS, epochs },
    {
      onEpoch: (r) =>
        context.log(`draw: epoch ${r.epoch}/${epochs}, held-out loss ${r.testLoss!.toFixed(2)}`),
    },
  );
  const minutes = (performance.now() - started) / 60000;
  const judged = judgeDrawings(model, judge, { perWord: count(args, "--per-digit", 100, 1), seed: 0 });
  const variety = drawingVariety(judged, data.test);
  const last = history[history.length - 1]!;
  // One record for all drawings, then one per digit.
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const shares = [
    ["all", judged.accuracy, mean(variety)] as const,
    ...DIGIT_WORDS.map((d, i) => [d, judged.perWord[i]!, variety[i]!] as const),
  ];
  for (const [digit, value, varietyOf] of shares) {
    context.emit({
      bench: "vision",
      impl: "infiniset",
      task: "draw",
      metric: "recognised",
      value,
      msPerIter: last.msPerStep,
      digit,
      drawings: digit === "all" ? judged.ids.length : judged.ids.length / DIGIT_WORDS.length,
      epochs,
      variety: varietyOf,
      heldOutLoss: last.testLoss,
      judge: judgeDir ?? `cnn trained ${judgeEpochs} epochs, no augmentation`,
      judgeAccuracy,
      minutes,
    });
  }
}

const ABLATIONS = [
  "none",
  "affine",
  "elastic",
  "noise",
  "cutout",
  "mixup",
  "affine,elastic,noise,cutout,mixup",
];

async function runVision(context: BenchContext): Promise<void> {
  const { args } = context;
  const warmup = count(args, "--warmup", 3, 0);
  const iters = count(args, "--iters", 20, 1);
  const child = option(args, "--child");
  if (child !== undefined) return runStepChild(context, child, warmup, iters);
  const tasks = (option(args, "--tasks") ?? TASKS.join(",")).split(",").map((t) => t.trim());
  for (const task of tasks) {
    if (!(TASKS as readonly string[]).includes(task))
      throw new Error(`vision: unknown task "${task}" (use ${TASKS.join(", ")})`);
  }
  const targets = option(args, "--targets")?.split(",");
  if (tasks.includes("step")) await stepTask(context, warmup, iters, count(args, "--rounds", 2, 1), targets);
  if (tasks.includes("mnist")) {
    trainAndReport(context, "mnist", {
      ...IMAGE_CLASSIFIER_DEFAULTS,
      epochs: count(args, "--epochs", IMAGE_CLASSIFIER_DEFAULTS.epochs, 1),
    });
  }
  if (tasks.includes("shapes")) shapesTask(context, args);
  if (tasks.includes("draw")) drawTask(context, args);
  if (tasks.includes("augment")) {
    const epochs = count(args, "--ablation-epochs", 6, 1);
    for (const augment of ABLATIONS) {
      trainAndReport(context, `augment:${augment}`, {
        ...IMAGE_CLASSIFIER_DEFAULTS,
        epochs,
        augment: augment === "none" ? "" : augment,
      });
    }
  }
}

function render(records: BenchRecord[]): string {
  const out: string[] = [];
  const steps = records.filter((r) => r.task === "mnist-step");
  if (steps.length) {
    const torchAt = (threads: unknown) => steps.find((r) => r.impl === "pytorch" && r.threads === threads);
    out.push(
      "MNIST CNN training step (batch 64): median wall ms and CPU ms per step; ratios are PyTorch's time over the row's (above 1× = faster than PyTorch)",
      formatTable(
        ["impl", "threads", "ms/step", "CPU ms/step", "vs PyTorch (wall)", "vs PyTorch (CPU)"],
        steps.map((r) => {
          const torch = torchAt(r.threads);
          const ratio = (a: unknown, b: unknown) => (torch ? `${fmt(Number(a) / Number(b))}×` : "—");
          return [
            r.impl,
            String(r.threads),
            fmt(Number(r.msPerIter)),
            fmt(Number(r.cpuMsPerIter)),
            ratio(torch?.msPerIter, r.msPerIter),
            ratio(torch?.cpuMsPerIter, r.cpuMsPerIter),
          ];
        }),
      ),
    );
  }
  const accuracy = records.filter((r) => r.metric === "testAccuracy");
  if (accuracy.length) {
    out.push(
      "",
      "MNIST held-out accuracy (2,000 test digits of the standard split)",
      formatTable(
        ["task", "augment", "epochs", "accuracy", "ms/step"],
        accuracy.map((r) => [
          String(r.task),
          String(r.augment || "none"),
          String(r.epochs),
          `${(100 * Number(r.value)).toFixed(2)}%`,
          fmt(Number(r.msPerIter)),
        ]),
      ),
    );
  }
  const shapes = records.filter((r) => ["detect", "caption", "retrieve"].includes(String(r.task)));
  if (shapes.length) {
    out.push(
      "",
      "Captioned shapes, held-out scenes (colour–shape pairs never seen in training)",
      formatTable(
        ["task", "metric", "value", "scenes", "epochs", "ms/step"],
        shapes.map((r) => [
          String(r.task),
          String(r.metric),
          Number(r.value).toFixed(3),
          String(r.scenes),
          String(r.epochs),
          fmt(Number(r.msPerIter)),
        ]),
      ),
    );
  }
  const drawn = records.filter((r) => r.task === "draw");
  if (drawn.length) {
    const first = drawn[0]!;
    out.push(
      "",
      `Digits drawn from their names (conditional VAE, ${first.epochs} epochs): the share a MNIST CNN (held-out accuracy ${(100 * Number(first.judgeAccuracy)).toFixed(2)}%) classifies as the digit asked for, and their variety: the mean distance between two drawings of a digit over that between two of its real held-out digits`,
      formatTable(
        ["", ...drawn.map((r) => String(r.digit))],
        [
          ["recognised", ...drawn.map((r) => `${(100 * Number(r.value)).toFixed(1)}%`)],
          ["variety", ...drawn.map((r) => Number(r.variety).toFixed(2))],
        ],
      ),
    );
  }
  return out.join("\n");
}

export const vision: Bench = {
  name: "vision",
  description:
    "MNIST CNN step vs PyTorch, MNIST accuracy, the augmentation ablation, detection and captioning on shapes, digits drawn from their names",
  run: runVision,
  render,
};
