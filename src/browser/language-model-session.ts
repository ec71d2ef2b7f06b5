// The language model a page trains and looks inside: a GPT, an LSTM/GRU or an n-gram model
// made from pasted text, trained step by step so the page can watch, pause and stop it.

import { serializeGguf } from "../formats/gguf/write-gguf.js";
import { readSafetensors, writeSafetensors } from "../formats/safetensors.js";
import { gptGgufContents } from "../models/gpt/export-gguf.js";
import { Gpt } from "../models/gpt/gpt.js";
import type { KneserNeyModel } from "../models/ngram/kneser-ney.js";
import { trainNgram } from "../models/ngram/train.js";
import { BOS_ID, EOS_ID, UNK_ID } from "../models/ngram/vocabulary.js";
import type { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import { SeededRng } from "../random/seeded-rng.js";
import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import type { BpeTokenizerJson } from "../text/bpe-tokenizer.js";
import type { CharTokenizerJson } from "../text/char-tokenizer.js";
import { type SamplingOptions, sampleToken, tokenChoice } from "../text/sampling.js";
import { generateText } from "../train/generate-text.js";
import { GPT_FAMILY, type GptTrainingSettings, presetSettings } from "../train/gpt-settings.js";
import type { LanguageModel, LanguageModelFamily } from "../train/language-model-family.js";
import {
  createLanguageModelOptimizer,
  type LanguageModelSettings,
} from "../train/language-model-settings.js";
import { RNN_FAMILY, type RnnTrainingSettings, rnnPresetSettings } from "../train/rnn-settings.js";
import { fromSafetensorsTensor, toSafetensorsTensor } from "../train/tensor-safetensors.js";
import { sampleBatchTensors } from "../train/text-dataset.js";
import { type TextTokenizer, tokenizerFromJson } from "../train/tokenizer.js";
import type {
  AttentionResult,
  NextTokenResult,
  SamplingRequest,
  TokenEvent,
  TrainProgress,
  TrainRequest,
  TrainResult,
} from "./engine-protocol.js";

type Settings = GptTrainingSettings | RnnTrainingSettings;

/** A trained network with what rebuilds it from a checkpoint. */
interface Network {
  readonly kind: "network";
  readonly family: LanguageModelFamily<Settings, LanguageModel>;
  readonly settings: Settings;
  readonly model: LanguageModel;
  readonly tokenizer: TextTokenizer;
  result: TrainResult;
}

interface Ngram {
  readonly kind: "ngram";
  readonly model: KneserNeyModel;
  result: TrainResult;
}

/** Pauses and stops a running training between steps. */
export class TrainingControl {
  paused = false;
  stopped = false;
  #resume: (() => void) | undefined;

  pause(): boolean {
    this.paused = true;
    return true;
  }

  resume(): boolean {
    this.paused = false;
    this.#resume?.();
    return true;
  }

  stop(): boolean {
    this.stopped = true;
    return this.resume();
  }

  /** Lets messages in between steps, and waits while paused. */
  async between(): Promise<void> {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    while (this.paused && !this.stopped) await new Promise<void>((resolve) => (this.#resume = resolve));
  }
}

const familyOf = (kind: string) =>
  (kind === "gpt" ? GPT_FAMILY : RNN_FAMILY) as unknown as LanguageModelFamily<Settings, LanguageModel>;

/** The run's settings: the baby preset of the family with the page's choices. */
function settingsFor(request: TrainRequest): Settings {
  const steps = request.steps;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`steps must be an integer ≥ 1, got ${steps}`);
  const common = {
    data: "the page's text",
    iterations: steps,
    decayIterations: steps,
    warmup: Math.min(100, Math.floor(steps / 10)),
    evalInterval: request.evalInterval ?? 25,
    evalBatches: 4,
    checkpointEvery: steps,
    ...(request.blockSize ? { blockSize: request.blockSize } : {}),
    ...(request.batchSize ? { batchSize: request.batchSize } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.layers ? { nLayer: request.layers } : {}),
  };
  if (request.kind === "gpt") {
    const preset = presetSettings("baby");
    const lr = request.lr ?? preset.lr;
    return {
      ...preset,
      ...common,
      lr,
      minLr: lr / 10,
      ...(request.width ? { nEmbd: request.width } : {}),
      ...(request.heads ? { nHead: request.heads } : {}),
    };
  }
  const preset = rnnPresetSettings("baby", request.kind as RnnTrainingSettings["kind"]);
  const lr = request.lr ?? preset.lr;
  return {
    ...preset,
    ...common,
    lr,
    minLr: lr / 10,
    ...(request.width ? { hiddenSize: request.width } : {}),
  };
}

export class LanguageModelSession {
  #current: Network | Ngram | undefined;

  get trained(): Network | Ngram {
    if (!this.#current) throw new Error("no model yet: train one (or load a checkpoint) first");
    return this.#current;
  }

  async train(
    request: TrainRequest,
    control: TrainingControl,
    progress: (p: TrainProgress) => void,
  ): Promise<TrainResult> {
    if (typeof request.text !== "string" || request.text.trim().length === 0)
      throw new Error("the text to train on is empty");
    if (request.kind === "ngram") return this.#trainNgram(request);
    const family = familyOf(request.kind);
    const settings = settingsFor(request);
    family.check(settings);
    const tokenizer = family.tokenizerFor(settings, request.text);
    const tokens = tokenizer.encode(request.text);
    const { blockSize, batchSize } = settings;
    const held = Math.max(blockSize + 1, Math.floor(tokens.length / 10));
    if (tokens.length - held < blockSize + 1) {
      throw new Error(
        `the text has ${tokens.length} tokens; blocks of ${blockSize} need at least ${2 * (blockSize + 1)} (paste more text or shorten the block)`,
      );
    }
    const train = tokens.subarray(0, tokens.length - held);
    const validation = tokens.subarray(tokens.length - held);
    const model = family.create(
      family.configFor(settings, tokenizer.vocabSize),
      family.typeOf(settings),
      settings.seed,
    );
    const optimizer = createLanguageModelOptimizer(
      model.parameters(),
      family.decays(model),
      settings as LanguageModelSettings,
    );
    const rng = new SeededRng(settings.seed);
    const evalRng = new SeededRng(settings.seed + 1);
    const network: Network = {
      kind: "network",
      family,
      settings,
      model,
      tokenizer,
      result: {
        steps: 0,
        loss: Number.NaN,
        validationLoss: Number.NaN,
        parameters: model.parameterCount(),
        description: family.describe(settings),
        stopped: false,
      },
    };
    this.#current = network;
    model.train();
    let loss = Number.NaN;
    let validationLoss = Number.NaN;
    let step = 0;
    while (step < settings.iterations && !control.stopped) {
      const start = performance.now();
      const { ids, targets } = sampleBatchTensors(train, batchSize, blockSize, rng);
      loss = optimizer.stepOn(model.loss(ids, targets), { clipNorm: settings.clipNorm }).loss;
      ids.dispose();
      targets.dispose();
      const ms = performance.now() - start;
      step++;
      const evaluate = step % settings.evalInterval === 0 || step === settings.iterations;
      if (evaluate) validationLoss = this.#validationLoss(network, validation, evalRng);
      network.result = { ...network.result, steps: step, loss, validationLoss };
      progress({
        step,
        steps: settings.iterations,
        loss,
        ...(evaluate ? { validationLoss } : {}),
        msPerStep: ms,
        tokensPerSecond: (batchSize * blockSize * 1000) / ms,
      });
      await control.between();
    }
    network.result = { ...network.result, stopped: control.stopped };
    return network.result;
  }

  #validationLoss(network: Network, validation: Int32Array, rng: SeededRng): number {
    const { model, settings } = network;
    model.eval();
    try {
      let total = 0;
      for (let i = 0; i < settings.evalBatches; i++) {
        const { ids, targets } = sampleBatchTensors(validation, settings.batchSize, settings.blockSize, rng);
        total += noGrad(() => model.loss(ids, targets)).item();
      }
      return total / settings.evalBatches;
    } finally {
      model.train();
    }
  }

  #trainNgram(request: TrainRequest): TrainResult {
    const order = request.order ?? 5;
    const cut = Math.floor(request.text.length * 0.9);
    const start = performance.now();
    const model = trainNgram({ order, level: "char" }, request.text.slice(0, cut));
    const held = model.perplexity(request.text.slice(cut));
    const validationLoss = Math.log(held.perplexity);
    const result: TrainResult = {
      steps: 1,
      loss: validationLoss,
      validationLoss,
      parameters: model.ngramCount(order),
      description: `character ${order}-gram, interpolated modified Kneser-Ney, counted in ${(performance.now() - start).toFixed(0)} ms`,
      stopped: false,
    };
    this.#current = { kind: "ngram", model, result };
    return result;
  }

  generate(request: SamplingRequest & { prompt: string }, onToken: (t: TokenEvent) => void): string {
    const trained = this.trained;
    const sampler: SamplingOptions = {
      temperature: request.temperature ?? 1,
      ...(request.topK ? { topK: request.topK } : {}),
      ...(request.topP !== undefined && request.topP < 1 ? { topP: request.topP } : {}),
    };
    if (trained.kind === "ngram") return this.#generateNgram(trained.model, request, sampler, onToken);
    const { model, tokenizer } = trained;
    let prompt = request.prompt;
    if (model instanceof Gpt)
      prompt = lastTokens(tokenizer, prompt, model.config.blockSize - request.maxTokens);
    return generateText({ model, tokenizer }, prompt, {
      maxTokens: request.maxTokens,
      seed: request.seed ?? 0,
      sampler,
      alternatives: request.alternatives ?? 5,
      onToken: (t) => onToken({ text: t.text, probability: t.probability, alternatives: t.alternatives }),
    });
  }

  /** Characters from a character n-gram model: log-probabilities as logits, so the same sampler. */
  #generateNgram(
    model: KneserNeyModel,
    request: SamplingRequest & { prompt: string },
    sampler: SamplingOptions,
    onToken: (t: TokenEvent) => void,
  ): string {
    const vocabulary = model.vocabulary;
    const rng = new SeededRng(request.seed ?? 0);
    const line = request.prompt.split("\n").pop() ?? "";
    const context = ["<s>", ...line];
    const name = (id: number) => (id === EOS_ID ? "\n" : vocabulary.tokenOf(id));
    let text = "";
    for (let i = 0; i < request.maxTokens; i++) {
      const logits = new Float32Array(vocabulary.size);
      for (let id = 0; id < vocabulary.size; id++) {
        const excluded = id === BOS_ID || id === UNK_ID;
        logits[id] = excluded
          ? Number.NEGATIVE_INFINITY
          : Math.log(model.prob(context, vocabulary.tokenOf(id)));
      }
      const id = sampleToken(logits, rng, sampler);
      const choice = tokenChoice(logits, id, request.alternatives ?? 5);
      const piece = name(id);
      text += piece;
      onToken({
        text: piece,
        probability: choice.probability,
        alternatives: choice.alternatives.map((a) => ({ text: name(a.id), probability: a.probability })),
      });
      if (id === EOS_ID) context.splice(0, context.length, "<s>");
      else context.push(piece);
    }
    return text;
  }

  attention(prompt: string): AttentionResult {
    const trained = this.trained;
    if (trained.kind !== "network" || !(trained.model instanceof Gpt)) {
      throw new Error("attention maps need a GPT (LSTM, GRU and n-gram models do not attend)");
    }
    const { model, tokenizer } = trained;
    const ids = [...tokenizer.encode(lastTokens(tokenizer, prompt, model.config.blockSize))];
    const maps = model.attention(ids);
    return {
      tokens: ids.map((id) => tokenizer.decode([id])),
      layers: maps.layers,
      heads: maps.heads,
      weights: maps.weights,
    };
  }

  /** The likeliest next tokens after every position of the prompt (networks: one pass). */
  nextTokens(prompt: string, k = 8): NextTokenResult {
    const trained = this.trained;
    if (trained.kind !== "network") throw new Error("the next-token view needs a network (GPT, LSTM or GRU)");
    const { model, tokenizer } = trained;
    const limit = model instanceof Gpt ? model.config.blockSize : 256;
    const ids = [...tokenizer.encode(lastTokens(tokenizer, prompt, limit))];
    if (ids.length === 0) throw new Error("the prompt is empty");
    const wasTraining = model.training;
    model.eval();
    try {
      const logits = noGrad(() => {
        const x = tensor(ids, [1, ids.length], { dtype: "int32" });
        const out = model instanceof Gpt ? model.forward(x) : (model as unknown as RnnLm).forward(x).logits;
        return Float32Array.from(out.dataSync());
      });
      const vocab = tokenizer.vocabSize;
      return {
        tokens: ids.map((id) => tokenizer.decode([id])),
        next: ids.map((_, t) =>
          tokenChoice(logits.subarray(t * vocab, (t + 1) * vocab), 0, k).alternatives.map((a) => ({
            text: tokenizer.decode([a.id]),
            probability: a.probability,
          })),
        ),
      };
    } finally {
      model.train(wasTraining);
    }
  }

  /** The network as one safetensors file: weights, with the settings and tokenizer in its metadata. */
  saveCheckpoint(): Uint8Array {
    const trained = this.trained;
    if (trained.kind !== "network")
      throw new Error("an n-gram model is counted again in a moment; only networks are saved");
    const tensors = new Map(
      [...trained.model.stateDict()].map(([name, t]) => [name, toSafetensorsTensor(t)]),
    );
    return writeSafetensors(tensors, {
      format: CHECKPOINT_FORMAT,
      settings: JSON.stringify(trained.settings),
      tokenizer: JSON.stringify(trained.tokenizer.toJSON()),
      result: JSON.stringify(trained.result),
    });
  }

  loadCheckpoint(bytes: Uint8Array): TrainResult {
    const { tensors, metadata } = readSafetensors(bytes);
    if (metadata?.format !== CHECKPOINT_FORMAT) {
      throw new Error(`not a playground checkpoint (its metadata has no format "${CHECKPOINT_FORMAT}")`);
    }
    const settings = JSON.parse(metadata.settings!) as Settings;
    const tokenizer = tokenizerFromJson(JSON.parse(metadata.tokenizer!));
    const kind = "kind" in settings ? settings.kind : "gpt";
    const family = familyOf(kind);
    const model = family.create(
      family.configFor(settings, tokenizer.vocabSize),
      family.typeOf(settings),
      settings.seed,
    );
    model.loadStateDict(new Map([...tensors].map(([name, t]) => [name, fromSafetensorsTensor(name, t)])));
    const result = JSON.parse(metadata.result!) as TrainResult;
    this.#current = { kind: "network", family, settings, model, tokenizer, result };
    return result;
  }

  /** The GPT as a gpt2 GGUF file, which llama.cpp and the Models view open. */
  exportGguf(): Uint8Array {
    const trained = this.trained;
    if (trained.kind !== "network" || !(trained.model instanceof Gpt))
      throw new Error("only a GPT exports as GGUF (the gpt2 architecture)");
    const json = trained.tokenizer.toJSON() as CharTokenizerJson | BpeTokenizerJson;
    return serializeGguf(gptGgufContents(trained.model, json, "infiniset playground GPT"));
  }
}

const CHECKPOINT_FORMAT = "infiniset-playground-checkpoint";

/** The end of `text` that encodes to at most `limit` tokens. */
function lastTokens(tokenizer: TextTokenizer, text: string, limit: number): string {
  const ids = tokenizer.encode(text);
  return ids.length <= limit ? text : tokenizer.decode(ids.subarray(ids.length - Math.max(1, limit)));
}
