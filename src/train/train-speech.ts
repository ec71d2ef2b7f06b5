// Speech recognition runs on spoken digits synthesised with espeak-ng: isolated digits
// with a CNN and cross-entropy, or digit sequences with a CNN (optionally with a GRU) and
// CTC. Audio augmentation (speed, reverberation, shift, noise) and SpecAugment are drawn
// afresh every epoch. Evaluation is on voices held out of training, clean and under
// noise; `transcribe` loads the checkpoint and reads WAV files.
import { mkdirSync } from "node:fs";
import { addNoise, augmentAudio, specAugment } from "../audio/augment.js";
import { fitLength, resample } from "../audio/resample.js";
import { readWav } from "../audio/wav.js";
import {
  clipSeconds,
  DIGIT_WORDS,
  SPEECH_SAMPLE_RATE,
  type SpokenClip,
  spokenDigits,
  voiceSplit,
} from "../data/speech/spoken-digits.js";
import { ctcBeamDecode, ctcGreedyDecode } from "../models/speech/ctc-decode.js";
import { CtcRecognizer, type CtcRecognizerConfig } from "../models/speech/ctc-recognizer.js";
import { SpeechCnn, type SpeechCnnConfig } from "../models/speech/digit-cnn.js";
import { featureFrames, SPEECH_FEATURES, speechFeatures } from "../models/speech/features.js";
import { AdamW } from "../optim/adamw.js";
import { warmupCosine } from "../optim/schedules/warmup-cosine.js";
import { SeededRng } from "../random/seeded-rng.js";
import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import { crossEntropy, ctcLoss } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TrainingCallback } from "./callbacks.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  readCheckpointWeights,
  writeCheckpoint,
} from "./checkpoint.js";
import { TrainingLogWriter } from "./training-log.js";

export const SPEECH_MODEL_TYPE = "speech";

export interface SpeechSettings {
  task: "digits" | "sequences";
  /** Training clips per training voice (isolated digits: per voice and digit). */
  perVoice: number;
  /** Test clips per held-out voice. */
  testPerVoice: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Audio augmentation (speed, reverberation, shift, noise) on training clips. */
  augment: boolean;
  /** SpecAugment time and frequency masks on training features. */
  specAugment: boolean;
  channels: number[];
  width: number;
  /** GRU width after the convolutions (sequences; 0 = convolutions only). */
  hidden: number;
  /** Beam width of CTC decoding (1 = greedy). */
  beam: number;
  seed: number;
  /** SNR in dB of the noisy copy of the test set. */
  testSnrDb: number;
  /** Use only the first this many voices of each split (quick runs and tests). */
  maxVoices?: number;
  cacheDir?: string;
}

export const SPEECH_DEFAULTS: Record<SpeechSettings["task"], SpeechSettings> = {
  digits: {
    task: "digits",
    perVoice: 2,
    testPerVoice: 1,
    epochs: 12,
    batchSize: 32,
    lr: 3e-3,
    augment: true,
    specAugment: true,
    channels: [64, 64, 96],
    width: 5,
    hidden: 0,
    beam: 1,
    seed: 0,
    testSnrDb: 10,
  },
  sequences: {
    task: "sequences",
    perVoice: 24,
    testPerVoice: 6,
    epochs: 15,
    batchSize: 16,
    lr: 3e-3,
    augment: true,
    specAugment: true,
    channels: [64, 96, 128],
    width: 5,
    hidden: 0,
    beam: 8,
    seed: 0,
    testSnrDb: 10,
  },
};

type Network = SpeechCnn | CtcRecognizer;

function buildNetwork(settings: SpeechSettings): Network {
  const common = {
    bins: SPEECH_FEATURES.bins,
    channels: settings.channels,
    width: settings.width,
    seed: settings.seed,
  };
  return settings.task === "digits"
    ? new SpeechCnn({ ...common, classes: 10 })
    : new CtcRecognizer({ ...common, hidden: settings.hidden, classes: 11 });
}

/** Word error rate in percent: edit distance between digit sequences over reference length. */
export function wordErrorRate(hypotheses: readonly number[][], references: readonly number[][]): number {
  let errors = 0;
  let words = 0;
  hypotheses.forEach((h, i) => {
    const r = references[i]!;
    words += r.length;
    let previous = Array.from({ length: h.length + 1 }, (_, j) => j);
    for (let a = 1; a <= r.length; a++) {
      const row = [a];
      for (let b = 1; b <= h.length; b++) {
        row.push(
          Math.min(previous[b]! + 1, row[b - 1]! + 1, previous[b - 1]! + (r[a - 1] === h[b - 1] ? 0 : 1)),
        );
      }
      previous = row;
    }
    errors += previous[h.length]!;
  });
  return (100 * errors) / Math.max(1, words);
}

/** A trained recogniser: clips of samples at 8 kHz in, digit sequences out. */
export class SpeechRecognizer {
  constructor(
    readonly network: Network,
    readonly task: SpeechSettings["task"],
    readonly beam: number,
  ) {}

  get clipSamples(): number {
    return clipSeconds(this.task) * SPEECH_SAMPLE_RATE;
  }

  /** The digits spoken in each clip (samples at 8 kHz, cut or padded to the clip length). */
  recognize(clips: readonly Float32Array[], batchSize = 32): number[][] {
    const length = this.clipSamples;
    const out: number[][] = [];
    this.network.train(false);
    for (let start = 0; start < clips.length; start += batchSize) {
      const chunk = clips.slice(start, start + batchSize);
      const audio = new Float32Array(batchSize * length);
      chunk.forEach((c, i) => {
        audio.set(fitLength(c, length), i * length);
      });
      const features = speechFeatures(tensor(audio, [batchSize, length]));
      if (this.network instanceof SpeechCnn) {
        const network = this.network;
        const best = noGrad(() => network.logits(features).argmax(-1)).dataSync();
        for (let i = 0; i < chunk.length; i++) out.push([best[i]!]);
      } else {
        const network = this.network;
        const logProbs = noGrad(() => network.logProbs(features));
        const [, frames, classes] = logProbs.shape as [number, number, number];
        const values = logProbs.dataSync() as Float32Array;
        for (let i = 0; i < chunk.length; i++) {
          const row = values.subarray(i * frames * classes, (i + 1) * frames * classes);
          const labels =
            this.beam > 1
              ? ctcBeamDecode(row, frames, classes, { width: this.beam }).labels
              : ctcGreedyDecode(row, frames, classes);
          out.push(labels.map((c) => c - 1));
        }
      }
    }
    return out;
  }

  /** The digits spoken in a WAV file (any rate, mono or mixed down). */
  transcribe(path: string): number[] {
    const audio = resample(readWav(path), SPEECH_SAMPLE_RATE);
    return this.recognize([audio.samples], 1)[0]!;
  }
}

export interface SpeechEvaluation {
  clips: number;
  /** Isolated digits: percent correct. */
  accuracy?: number;
  /** Sequences: word error rate in percent. */
  wer?: number;
  /** Sequences: percent of clips with every digit right. */
  sequenceAccuracy?: number;
}

export function evaluateSpeech(
  recognizer: SpeechRecognizer,
  clips: readonly SpokenClip[],
  noise?: { snrDb: number; seed: number },
): SpeechEvaluation {
  const rng = new SeededRng(noise?.seed ?? 0);
  const inputs = clips.map((c) => (noise ? addNoise(c.samples, noise.snrDb, rng) : c.samples));
  const found = recognizer.recognize(inputs);
  const references = clips.map((c) => c.digits);
  const exact = found.filter((f, i) => f.join() === references[i]!.join()).length;
  if (recognizer.task === "digits") return { clips: clips.length, accuracy: (100 * exact) / clips.length };
  return {
    clips: clips.length,
    wer: wordErrorRate(found, references),
    sequenceAccuracy: (100 * exact) / clips.length,
  };
}

export interface SpeechRunOptions {
  out?: string;
  callbacks?: readonly TrainingCallback[];
  log?: (line: string) => void;
}

export interface SpeechRunResult {
  recognizer: SpeechRecognizer;
  settings: SpeechSettings;
  trainClips: number;
  trainSeconds: number;
  clean: SpeechEvaluation;
  noisy: SpeechEvaluation;
  checkpoint?: string;
}

export function trainSpeech(settings: SpeechSettings, options: SpeechRunOptions = {}): SpeechRunResult {
  const log = options.log ?? (() => {});
  const callbacks = options.callbacks ?? [];
  const voices = voiceSplit();
  const synthStart = performance.now();
  const data = (which: "train" | "test") =>
    spokenDigits({
      task: settings.task,
      voices: voices[which].slice(0, settings.maxVoices ?? voices[which].length),
      perVoice: which === "train" ? settings.perVoice : settings.testPerVoice,
      seed: settings.seed + (which === "train" ? 0 : 1),
      ...(settings.cacheDir ? { cacheDir: settings.cacheDir } : {}),
    });
  const train = data("train");
  const test = data("test");
  log(
    `${train.length} training clips, ${test.length} test clips in held-out voices, ready in ${((performance.now() - synthStart) / 1000).toFixed(1)} s`,
  );
  const network = buildNetwork(settings);
  const recognizer = new SpeechRecognizer(network, settings.task, settings.beam);
  const length = recognizer.clipSamples;
  const frames = featureFrames(length);
  const batch = settings.batchSize;
  const stepsPerEpoch = Math.max(1, Math.floor(train.length / batch));
  const iterations = settings.epochs * stepsPerEpoch;
  const optimizer = new AdamW(network.parameters(), {
    lr: warmupCosine({
      warmup: Math.min(100, iterations - 1),
      total: iterations,
      maxLr: settings.lr,
      minLr: settings.lr / 20,
    }),
    weightDecay: 0.01,
  });
  const rng = new SeededRng(settings.seed);
  if (options.out) mkdirSync(options.out, { recursive: true });
  const logFile = options.out ? new TrainingLogWriter(`${options.out}/log.jsonl`) : undefined;
  logFile?.truncateAfter(0);
  const start = performance.now();
  for (const c of callbacks) c.onStart?.({ startIter: 0, iterations, tokensPerStep: batch, elapsedMs: 0 });
  network.train(true);
  let iter = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = [...train.keys()];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let total = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const stepStart = performance.now();
      const clips = order.slice(s * batch, (s + 1) * batch).map((i) => train[i]!);
      const audio = new Float32Array(batch * length);
      clips.forEach((clip, i) => {
        const samples = settings.augment ? augmentAudio(clip.samples, SPEECH_SAMPLE_RATE, rng) : clip.samples;
        audio.set(samples, i * length);
      });
      let features = speechFeatures(tensor(audio, [batch, length]));
      if (settings.specAugment) {
        const mask = new Float32Array(batch * frames * SPEECH_FEATURES.bins).fill(1);
        for (let i = 0; i < batch; i++) {
          specAugment(
            mask.subarray(i * frames * SPEECH_FEATURES.bins, (i + 1) * frames * SPEECH_FEATURES.bins),
            frames,
            SPEECH_FEATURES.bins,
            rng,
            {
              timeWidth: Math.round(frames / 10),
            },
          );
        }
        features = features.mul(tensor(mask, [batch, frames, SPEECH_FEATURES.bins]));
      }
      const loss = lossOf(network, features, clips);
      const { loss: value } = optimizer.stepOn(loss, { clipNorm: 5 });
      iter++;
      total += value;
      if (!Number.isFinite(value))
        throw new Error(`training stopped at iteration ${iter}: the loss is ${value}`);
      const record = {
        type: "step" as const,
        iter,
        loss: value,
        tokensPerSec: (batch * 1000) / (performance.now() - stepStart),
        elapsedMs: Math.round(performance.now() - start),
      };
      logFile?.append(record);
      const etaMs = ((performance.now() - start) / iter) * (iterations - iter);
      for (const c of callbacks) c.onStep?.({ ...record, iterations, etaMs });
    }
    log(`epoch ${epoch + 1}/${settings.epochs}: loss ${(total / stepsPerEpoch).toFixed(4)}`);
  }
  const trainSeconds = (performance.now() - start) / 1000;
  for (const c of callbacks)
    c.onEnd?.({
      iter,
      reason: "completed",
      message: `training done: ${iter} iterations`,
      elapsedMs: trainSeconds * 1000,
    });
  const clean = evaluateSpeech(recognizer, test);
  const noisy = evaluateSpeech(recognizer, test, { snrDb: settings.testSnrDb, seed: settings.seed });
  let checkpoint: string | undefined;
  if (options.out) {
    checkpoint = writeCheckpoint(options.out, {
      config: {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        model: {
          type: SPEECH_MODEL_TYPE,
          config: { task: settings.task, network: network.config, beam: settings.beam },
        },
        // The labels, as text: class c of the network is the digit DIGITS[c] (CTC: class c + 1).
        tokenizer: { type: "char", vocab: DIGIT_WORDS.map((_, d) => String(d)) },
        training: settings as unknown as Record<string, unknown>,
      },
      weights: network.stateDict(),
      optimizer: optimizer.stateDict(),
      state: { iter, elapsedMs: trainSeconds * 1000, rng: { batches: rng.state() }, callbacks: {} },
    });
  }
  return {
    recognizer,
    settings,
    trainClips: train.length,
    trainSeconds,
    clean,
    noisy,
    ...(checkpoint ? { checkpoint } : {}),
  };
}

function lossOf(network: Network, features: Tensor, clips: readonly SpokenClip[]): Tensor {
  const batch = clips.length;
  if (network instanceof SpeechCnn) {
    return crossEntropy(
      network.logits(features),
      tensor(
        Int32Array.from(clips, (c) => c.digits[0]!),
        [batch],
        { dtype: "int32" },
      ),
    );
  }
  const logProbs = network.logProbs(features);
  const outFrames = logProbs.shape[1]!;
  const maxLabels = 6;
  const targets = new Int32Array(batch * maxLabels);
  clips.forEach((c, i) => {
    c.digits.forEach((d, j) => {
      targets[i * maxLabels + j] = d + 1;
    });
  });
  const i32 = (values: ArrayLike<number>, shape: number[]) =>
    tensor(Int32Array.from(values), shape, { dtype: "int32" });
  const losses = ctcLoss(
    logProbs,
    i32(targets, [batch, maxLabels]),
    i32(new Array(batch).fill(outFrames), [batch]),
    i32(
      clips.map((c) => c.digits.length),
      [batch],
    ),
  );
  // Per label, as PyTorch's "mean" reduction: longer sequences do not weigh more.
  return losses
    .div(
      tensor(
        Float32Array.from(clips, (c) => c.digits.length),
        [batch],
      ),
    )
    .mean();
}

/** The recogniser a checkpoint (or a run directory's latest) holds. */
export function loadSpeechRecognizer(dir: string): SpeechRecognizer {
  const { path, config, weights } = readCheckpointWeights(dir);
  if (config.model.type !== SPEECH_MODEL_TYPE) {
    throw new Error(`${path} holds a ${config.model.type} model, not a speech model`);
  }
  const { task, network, beam } = config.model.config as {
    task: SpeechSettings["task"];
    network: SpeechCnnConfig | CtcRecognizerConfig;
    beam: number;
  };
  const model =
    task === "digits"
      ? new SpeechCnn(network as SpeechCnnConfig)
      : new CtcRecognizer(network as CtcRecognizerConfig);
  model.loadStateDict(weights);
  model.train(false);
  return new SpeechRecognizer(model, task, beam);
}
