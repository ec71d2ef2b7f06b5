// One translation run: the data (generated number sentences, or a file of pairs), a BPE
// tokenizer trained on both sides (one shared vocabulary, or one per side), an
// encoder–decoder, AdamW with warm-up and cosine decay on label-smoothed cross-entropy
// (teacher forcing), evaluations, atomic checkpoints with exact resume, and at the end
// BLEU, chrF and exact match on the held-out test set, greedy and with beam search.
import { mkdirSync } from "node:fs";
import { hashSplit } from "../data/hash-split.js";
import { NumberPairs, type SentencePair } from "../data/translation/number-pairs.js";
import { readSentencePairs } from "../data/translation/pair-files.js";
import { corpusBleu } from "../metrics/bleu.js";
import { corpusChrf } from "../metrics/chrf.js";
import type { SearchOptions } from "../models/seq2seq/beam-search.js";
import { GruSeq2Seq, type GruSeq2SeqConfig } from "../models/seq2seq/gru-seq2seq.js";
import type { Seq2SeqModel } from "../models/seq2seq/seq2seq-model.js";
import { TransformerSeq2Seq, type TransformerSeq2SeqConfig } from "../models/seq2seq/transformer-seq2seq.js";
import { Translator } from "../models/seq2seq/translator.js";
import { encodePairs, Seq2SeqVocabulary } from "../models/seq2seq/vocabulary.js";
import { AdamW } from "../optim/adamw.js";
import { warmupCosine } from "../optim/schedules/warmup-cosine.js";
import type { OptimizerStateDict } from "../optim/state-dict.js";
import { SeededRng } from "../random/seeded-rng.js";
import { manualSeed } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import { crossEntropy } from "../tensor/functions.js";
import { type BpeTokenizer, trainBpe } from "../text/bpe-tokenizer.js";
import type { TrainingCallback } from "./callbacks.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointConfig,
  findCheckpoint,
  readCheckpoint,
  readCheckpointWeights,
  writeCheckpoint,
} from "./checkpoint.js";
import { type TextTokenizer, tokenizerFromJson } from "./tokenizer.js";
import { TrainingLogWriter } from "./training-log.js";

export const SEQ2SEQ_MODEL_TYPE = "seq2seq";

export interface TranslationSettings {
  source: string;
  target: string;
  /** "numbers": sentences generated without end; else a .tsv/.csv file of pairs. */
  data: string;
  architecture: "transformer" | "gru";
  embd: number;
  /** Attention heads (transformer). */
  heads: number;
  /** Encoder and decoder blocks each (transformer). */
  layers: number;
  /** Recurrent state width (gru). */
  hidden: number;
  /** BPE vocabulary: 256 bytes plus merges. */
  vocabSize: number;
  /** One tokenizer and embedding for both languages (default), or one per side. */
  sharedVocabulary: boolean;
  iterations: number;
  batchSize: number;
  lr: number;
  warmup: number;
  labelSmoothing: number;
  dropout: number;
  seed: number;
  evalInterval: number;
  /** Held-out pairs for the final evaluation (generated data; a file's test split is its own size). */
  testSize: number;
  /** Beam width of the final evaluation (greedy is always reported too). */
  beam: number;
}

export const TRANSLATION_DEFAULTS: TranslationSettings = {
  source: "en",
  target: "fr",
  data: "numbers",
  architecture: "transformer",
  embd: 128,
  heads: 4,
  layers: 2,
  hidden: 128,
  vocabSize: 600,
  sharedVocabulary: true,
  iterations: 1500,
  batchSize: 48,
  lr: 1e-3,
  warmup: 200,
  labelSmoothing: 0.1,
  dropout: 0,
  seed: 0,
  evalInterval: 250,
  testSize: 500,
  beam: 4,
};

/** Where pairs come from: a training sampler, a fixed validation set and the held-out test set. */
export interface TranslationData {
  trainingPair(rng: SeededRng): SentencePair;
  validation: SentencePair[];
  test: SentencePair[];
  /** Training pairs to learn the tokenizer and the lengths from. */
  sample: SentencePair[];
}

export function translationData(settings: TranslationSettings): TranslationData {
  if (settings.data === "numbers") {
    const pairs = new NumberPairs(settings.source, settings.target);
    const rng = new SeededRng(settings.seed + 1_000_003);
    const sample = Array.from({ length: 20_000 }, () => pairs.trainingPair(rng));
    return {
      trainingPair: (r) => pairs.trainingPair(r),
      validation: sample.slice(0, 256),
      test: pairs.heldOutPairs(settings.testSize),
      sample,
    };
  }
  const all = readSentencePairs(settings.data);
  if (all.length < 10) throw new Error(`${settings.data}: at least 10 pairs are needed, found ${all.length}`);
  const { train, test } = hashSplit(
    all.map((p) => p.source),
    all.map(() => 0),
    { testFraction: 0.1 },
  );
  const trainPairs = train.map((i) => all[i]!);
  return {
    trainingPair: (r) => trainPairs[r.nextInt(trainPairs.length)]!,
    validation: trainPairs.slice(0, 256),
    test: test.map((i) => all[i]!),
    sample: trainPairs,
  };
}

function trainTokenizers(settings: TranslationSettings, sample: readonly SentencePair[]) {
  const text = (side: "source" | "target") => sample.map((p) => p[side]).join("\n");
  if (settings.sharedVocabulary) {
    const shared = trainBpe(`${text("source")}\n${text("target")}`, { vocabSize: settings.vocabSize });
    return { source: shared, target: shared };
  }
  return {
    source: trainBpe(text("source"), { vocabSize: settings.vocabSize }),
    target: trainBpe(text("target"), { vocabSize: settings.vocabSize }),
  };
}

type ModelConfig = TransformerSeq2SeqConfig | GruSeq2SeqConfig;

export function buildSeq2Seq(config: ModelConfig): Seq2SeqModel {
  return config.architecture === "gru" ? new GruSeq2Seq(config) : new TransformerSeq2Seq(config);
}

/** What a seq2seq checkpoint's model config holds. */
interface Seq2SeqCheckpointModel {
  network: ModelConfig;
  source: string;
  target: string;
  sourceTokenizer: ReturnType<BpeTokenizer["toJSON"]>;
  targetTokenizer: ReturnType<BpeTokenizer["toJSON"]>;
}

function modelConfig(
  settings: TranslationSettings,
  vocab: { source: Seq2SeqVocabulary; target: Seq2SeqVocabulary },
  lengths: { source: number; target: number },
): ModelConfig {
  const common = {
    sourceVocab: vocab.source.size,
    targetVocab: vocab.target.size,
    maxSourceLength: lengths.source,
    maxTargetLength: lengths.target,
    embd: settings.embd,
    seed: settings.seed,
  };
  return settings.architecture === "gru"
    ? { architecture: "gru", ...common, hidden: settings.hidden }
    : {
        architecture: "transformer",
        ...common,
        sharedEmbeddings: settings.sharedVocabulary,
        heads: settings.heads,
        encoderLayers: settings.layers,
        decoderLayers: settings.layers,
        dropout: settings.dropout,
      };
}

/** Longest source and target of the pairs in tokens, plus the end token and some room. */
function sequenceLengths(
  vocab: { source: Seq2SeqVocabulary; target: Seq2SeqVocabulary },
  pairs: readonly SentencePair[],
): { source: number; target: number } {
  let source = 0;
  let target = 0;
  for (const p of pairs) {
    source = Math.max(source, vocab.source.tokenizer.encode(p.source).length);
    target = Math.max(target, vocab.target.tokenizer.encode(p.target).length);
  }
  return { source: source + 3, target: target + 3 };
}

export interface TranslationEvaluation {
  sentences: number;
  /** Percent of outputs equal to the reference. */
  exactMatch: number;
  bleu: number;
  chrf: number;
  seconds: number;
}

/** BLEU, chrF and exact match of the translator's best outputs against the references. */
export function evaluateTranslation(
  translator: Translator,
  pairs: readonly SentencePair[],
  search: SearchOptions,
): TranslationEvaluation & { outputs: string[] } {
  const start = performance.now();
  const outputs = translator
    .translate(
      pairs.map((p) => p.source),
      search,
    )
    .map((found) => found[0]?.text ?? "");
  const references = pairs.map((p) => p.target);
  const exact = outputs.filter((o, i) => o === references[i]).length;
  return {
    sentences: pairs.length,
    exactMatch: (100 * exact) / Math.max(1, pairs.length),
    bleu: corpusBleu(outputs, [references]).score,
    chrf: corpusChrf(outputs, [references]),
    seconds: (performance.now() - start) / 1000,
    outputs,
  };
}

export interface TranslationRunOptions {
  /** Run directory for checkpoints and log.jsonl (none: nothing is written). */
  out?: string;
  /** Continue the run in `out` from its latest checkpoint. */
  resume?: boolean;
  callbacks?: readonly TrainingCallback[];
  log?: (line: string) => void;
}

export interface TranslationRunResult {
  translator: Translator;
  settings: TranslationSettings;
  iterations: number;
  trainSeconds: number;
  finalLoss: number;
  greedy: TranslationEvaluation;
  beam: TranslationEvaluation;
  checkpoint?: string;
}

/** A new translator for the settings (tokenizers trained on the data's sample), or the checkpoint's. */
function translatorFor(
  settings: TranslationSettings,
  data: TranslationData,
  resumeFrom: ReturnType<typeof readCheckpoint> | undefined,
): { translator: Translator; config: Seq2SeqCheckpointModel } {
  if (resumeFrom) {
    const config = resumeFrom.config.model.config as unknown as Seq2SeqCheckpointModel;
    const translator = translatorFromConfig(config);
    translator.model.loadStateDict(resumeFrom.weights);
    return { translator, config };
  }
  const tokenizers = trainTokenizers(settings, data.sample);
  const vocab = {
    source: new Seq2SeqVocabulary(tokenizers.source),
    target: new Seq2SeqVocabulary(tokenizers.target),
  };
  const lengths = sequenceLengths(vocab, [...data.sample, ...data.test]);
  const network = modelConfig(settings, vocab, lengths);
  const config = {
    network,
    source: settings.source,
    target: settings.target,
    sourceTokenizer: tokenizers.source.toJSON(),
    targetTokenizer: tokenizers.target.toJSON(),
  };
  return { translator: new Translator(buildSeq2Seq(network), vocab.source, vocab.target), config };
}

export function trainTranslation(
  settings: TranslationSettings,
  options: TranslationRunOptions = {},
): TranslationRunResult {
  const log = options.log ?? (() => {});
  const callbacks = options.callbacks ?? [];
  const resumeFrom =
    options.resume && options.out && findCheckpoint(options.out) ? readCheckpoint(options.out) : undefined;
  if (resumeFrom)
    settings = {
      ...(resumeFrom.config.training as unknown as TranslationSettings),
      iterations: settings.iterations,
    };
  const data = translationData(settings);
  const { translator, config } = translatorFor(settings, data, resumeFrom);
  if (resumeFrom) log(`resuming ${resumeFrom.path} at iteration ${resumeFrom.state.iter}`);
  const { model } = translator;
  const checkpointConfig: CheckpointConfig = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: { type: SEQ2SEQ_MODEL_TYPE, config: config as unknown as Record<string, unknown> },
    tokenizer: config.sourceTokenizer,
    training: settings as unknown as Record<string, unknown>,
  };
  const schedule = warmupCosine({
    warmup: Math.min(settings.warmup, settings.iterations - 1),
    total: settings.iterations,
    maxLr: settings.lr,
    minLr: settings.lr / 10,
  });
  const optimizer = new AdamW(model.parameters(), { lr: schedule, weightDecay: 0.01, betas: [0.9, 0.98] });
  let rng = new SeededRng(settings.seed);
  let iter = 0;
  let previousMs = 0;
  if (resumeFrom) {
    optimizer.loadStateDict(resumeFrom.optimizer as OptimizerStateDict);
    rng = SeededRng.fromState(resumeFrom.state.rng.batches!);
    iter = resumeFrom.state.iter;
    previousMs = resumeFrom.state.elapsedMs;
  }
  const dropoutSeeds = model instanceof TransformerSeq2Seq ? model.dropoutSeeds : undefined;
  if (resumeFrom?.state.rng.dropout && dropoutSeeds) dropoutSeeds.setState(resumeFrom.state.rng.dropout);
  if (options.out) mkdirSync(options.out, { recursive: true });
  const logFile = options.out ? new TrainingLogWriter(`${options.out}/log.jsonl`) : undefined;
  logFile?.truncateAfter(iter);
  const lengths = { source: model.maxSourceLength, target: model.maxTargetLength };
  const batchOf = (pairs: readonly SentencePair[]) =>
    encodePairs(translator.source, translator.target, pairs, lengths.source, lengths.target);
  const tokensPerStep = settings.batchSize * lengths.target;
  const sessionStart = performance.now();
  const elapsed = () => previousMs + performance.now() - sessionStart;
  for (const c of callbacks)
    c.onStart?.({ startIter: iter, iterations: settings.iterations, tokensPerStep, elapsedMs: previousMs });

  const validationLoss = () =>
    noGrad(() => {
      model.train(false);
      const batch = batchOf(data.validation.slice(0, settings.batchSize));
      const loss = crossEntropy(model.logits(batch), batch.targetOut).item();
      model.train(true);
      return loss;
    });
  let checkpoint: string | undefined;
  const saveCheckpoint = () => {
    if (!options.out) return;
    checkpoint = writeCheckpoint(options.out, {
      config: checkpointConfig,
      weights: model.stateDict(),
      optimizer: optimizer.stateDict(),
      state: {
        iter,
        elapsedMs: elapsed(),
        rng: { batches: rng.state(), ...(dropoutSeeds ? { dropout: dropoutSeeds.state() } : {}) },
        callbacks: {},
      },
    });
    for (const c of callbacks) c.onCheckpoint?.({ iter, path: checkpoint });
  };

  model.train(true);
  const recent: number[] = [];
  let finalLoss = Number.NaN;
  let stepsSinceEval = 0;
  let msSinceEval = 0;
  while (iter < settings.iterations) {
    const stepStart = performance.now();
    manualSeed(rng.nextUint32());
    const batch = batchOf(Array.from({ length: settings.batchSize }, () => data.trainingPair(rng)));
    const lr = optimizer.learningRates?.()[0];
    const { loss } = optimizer.stepOn(
      crossEntropy(model.logits(batch), batch.targetOut, { labelSmoothing: settings.labelSmoothing }),
      { clipNorm: 1 },
    );
    iter++;
    if (!Number.isFinite(loss)) {
      throw new Error(
        `training stopped at iteration ${iter}: the loss is ${loss}; ${checkpoint ? `the last good checkpoint is ${checkpoint}` : "no checkpoint had been saved yet"}`,
      );
    }
    finalLoss = loss;
    recent.push(loss);
    if (recent.length > 50) recent.shift();
    const stepMs = performance.now() - stepStart;
    stepsSinceEval++;
    msSinceEval += stepMs;
    const record = {
      type: "step" as const,
      iter,
      loss,
      ...(lr === undefined ? {} : { lr }),
      tokensPerSec: (tokensPerStep * 1000) / stepMs,
      elapsedMs: Math.round(elapsed()),
    };
    logFile?.append(record);
    const etaMs =
      ((performance.now() - sessionStart) / Math.max(1, iter - (resumeFrom?.state.iter ?? 0))) *
      (settings.iterations - iter);
    for (const c of callbacks) c.onStep?.({ ...record, iterations: settings.iterations, etaMs });
    if (iter % settings.evalInterval === 0 || iter === settings.iterations) {
      const evaluation = {
        type: "eval" as const,
        iter,
        trainLoss: recent.reduce((a, b) => a + b, 0) / recent.length,
        valLoss: validationLoss(),
        tokensPerSec: (stepsSinceEval * tokensPerStep * 1000) / msSinceEval,
        elapsedMs: Math.round(elapsed()),
      };
      stepsSinceEval = 0;
      msSinceEval = 0;
      logFile?.append(evaluation);
      for (const c of callbacks) c.onEvaluation?.({ ...evaluation, iterations: settings.iterations, etaMs });
      saveCheckpoint();
    }
  }
  const trainSeconds = elapsed() / 1000;
  for (const c of callbacks)
    c.onEnd?.({
      iter,
      reason: "completed",
      message: `training done: ${iter} iterations`,
      elapsedMs: elapsed(),
    });
  model.train(false);
  const greedy = evaluateTranslation(translator, data.test, { width: 1 });
  log(describeEvaluation("greedy", greedy));
  const beam = evaluateTranslation(translator, data.test, { width: settings.beam });
  log(describeEvaluation(`beam ${settings.beam}`, beam));
  return {
    translator,
    settings,
    iterations: iter,
    trainSeconds,
    finalLoss,
    greedy: withoutOutputs(greedy),
    beam: withoutOutputs(beam),
    ...(checkpoint ? { checkpoint } : {}),
  };
}

function withoutOutputs(e: TranslationEvaluation & { outputs: string[] }): TranslationEvaluation {
  const { outputs: _, ...rest } = e;
  return rest;
}

export function describeEvaluation(name: string, e: TranslationEvaluation): string {
  return `${name}: exact match ${e.exactMatch.toFixed(1)}%, BLEU ${e.bleu.toFixed(2)}, chrF ${e.chrf.toFixed(2)} on ${e.sentences} held-out sentences (${e.seconds.toFixed(1)} s)`;
}

function translatorFromConfig(config: Seq2SeqCheckpointModel): Translator {
  const source = tokenizerFromJson(config.sourceTokenizer) as TextTokenizer;
  const target = tokenizerFromJson(config.targetTokenizer) as TextTokenizer;
  return new Translator(
    buildSeq2Seq(config.network),
    new Seq2SeqVocabulary(source),
    new Seq2SeqVocabulary(target),
  );
}

/** The translator a checkpoint (or a run directory's latest) holds, with its languages. */
export function loadTranslator(dir: string): {
  translator: Translator;
  source: string;
  target: string;
  path: string;
} {
  const { path, config, weights } = readCheckpointWeights(dir);
  if (config.model.type !== SEQ2SEQ_MODEL_TYPE) {
    throw new Error(`${path} holds a ${config.model.type} model, not a translation model (seq2seq)`);
  }
  const model = config.model.config as unknown as Seq2SeqCheckpointModel;
  const translator = translatorFromConfig(model);
  translator.model.loadStateDict(weights);
  translator.model.train(false);
  return { translator, source: model.source, target: model.target, path };
}
