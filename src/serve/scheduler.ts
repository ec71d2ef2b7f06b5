// Continuous batching: requests wait in a queue for slots; every iteration feeds each
// decoding sequence its last token in one batched pass, plus a bounded number of prompt
// chunks in a second pass, so a long prompt never stalls running streams for more than a
// few chunks. Between iterations the event loop runs: responses are written, new requests
// join, and a cancelled request (client gone, timeout) leaves before the next step.
import type { BatchEngine, StepEntry } from "./batch-engine.js";
import {
  type ChoiceDelta,
  ChoiceGeneration,
  type FinishReason,
  type GenerationParams,
} from "./generation.js";
import type { ServeMetrics } from "./metrics.js";

export interface GenerationRequest {
  promptIds: readonly number[];
  /** Choices to generate, each in its own slot. */
  n: number;
  params: GenerationParams;
  /** Aborts the request (the client disconnected). */
  signal?: AbortSignal;
  /** Milliseconds after submission when the request fails with RequestTimeoutError. */
  timeoutMs?: number;
  onDelta?: (choice: number, delta: ChoiceDelta) => void;
  onFinish?: (choice: number, reason: FinishReason) => void;
}

export interface GenerationUsage {
  promptTokens: number;
  completionTokens: number;
}

export class QueueFullError extends Error {}
export class RequestCancelledError extends Error {}
export class RequestTimeoutError extends Error {}
export class ServerDrainingError extends Error {}

interface Job {
  request: GenerationRequest;
  arrivedAt: number;
  deadline: number;
  choices: ChoiceGeneration[];
  sequences: number[];
  /** Choices whose end was reported (and slot given back). */
  reported: Set<number>;
  firstTokenSent: boolean;
  resolve(usage: GenerationUsage): void;
  reject(error: Error): void;
  detach(): void;
}

interface EmbedJob {
  ids: readonly number[];
  resolve(v: Float32Array): void;
  reject(e: Error): void;
}

export interface SchedulerOptions {
  /** Requests that may wait for a slot; more are refused (QueueFullError). */
  maxQueue: number;
}

/** Prompt tokens fed per step at most, in chunks (prefillChunk tokens each). */
const PREFILL_CHUNKS = 4;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Scheduler {
  readonly #engine: BatchEngine;
  readonly #metrics: ServeMetrics | undefined;
  readonly #maxQueue: number;
  readonly #queue: Job[] = [];
  readonly #running: Job[] = [];
  readonly #embeds: EmbedJob[] = [];
  readonly #decoders: () => (id: number) => string;
  readonly #stopTokens: ReadonlySet<number>;
  #wake: (() => void) | undefined;
  #looping = false;
  #draining = false;
  #idle: (() => void)[] = [];

  constructor(engine: BatchEngine, options: SchedulerOptions, metrics?: ServeMetrics) {
    this.#engine = engine;
    this.#metrics = metrics;
    this.#maxQueue = options.maxQueue;
    this.#decoders = () => engine.served.tokenizer.streamingDecoder();
    this.#stopTokens = new Set(engine.served.stopTokens);
  }

  get running(): number {
    return this.#running.length;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Queues a request; resolves with its token counts when every choice has finished.
   * Throws QueueFullError at once when the queue is full.
   */
  generate(request: GenerationRequest): Promise<GenerationUsage> {
    if (this.#draining) throw new ServerDrainingError("the server is shutting down");
    if (this.#queue.length >= this.#maxQueue) {
      throw new QueueFullError(`the queue is full (${this.#maxQueue} requests waiting)`);
    }
    if (request.n > this.#engine.slots) {
      throw new Error(`n = ${request.n} is more than the server's ${this.#engine.slots} slots`);
    }
    return new Promise<GenerationUsage>((resolve, reject) => {
      const arrivedAt = performance.now();
      const job: Job = {
        request,
        arrivedAt,
        deadline: request.timeoutMs === undefined ? Number.POSITIVE_INFINITY : arrivedAt + request.timeoutMs,
        choices: [],
        sequences: [],
        reported: new Set(),
        firstTokenSent: false,
        resolve,
        reject,
        detach: () => {},
      };
      const signal = request.signal;
      if (signal) {
        if (signal.aborted) {
          reject(new RequestCancelledError("the client went away"));
          return;
        }
        // A request still in the queue leaves at once; a running one before the next step.
        const onAbort = () => {
          const at = this.#queue.indexOf(job);
          if (at >= 0) {
            this.#queue.splice(at, 1);
            this.#end(job, new RequestCancelledError("the client went away"));
          }
        };
        signal.addEventListener("abort", onAbort, { once: true });
        job.detach = () => signal.removeEventListener("abort", onAbort);
      }
      this.#queue.push(job);
      this.#metrics?.promptTokens.inc(request.promptIds.length * request.n);
      this.#start();
    });
  }

  /** An embedding, computed between two steps. */
  embed(ids: readonly number[]): Promise<Float32Array> {
    if (this.#draining) throw new ServerDrainingError("the server is shutting down");
    return new Promise((resolve, reject) => {
      this.#embeds.push({ ids, resolve, reject });
      this.#start();
    });
  }

  /** Refuses new work; resolves when everything accepted so far has finished. */
  drain(): Promise<void> {
    this.#draining = true;
    if (!this.#looping) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#start();
    return idle;
  }

  /** Ends every request now (each fails with `error`); used by a second shutdown signal. */
  abortAll(error: Error): void {
    for (const job of this.#queue.splice(0)) this.#end(job, error);
    for (const job of this.#running.splice(0)) this.#end(job, error);
  }

  #start(): void {
    if (this.#wake) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake();
    }
    if (this.#looping) return;
    this.#looping = true;
    // The loop starts on the next turn: submitting never runs a step in the caller's.
    setImmediate(() => void this.#loop());
  }

  async #loop(): Promise<void> {
    for (;;) {
      this.#dropCancelled();
      this.#admit();
      this.#updateGauges();
      const embed = this.#embeds.shift();
      if (embed) {
        try {
          embed.resolve(this.#engine.embed(embed.ids));
        } catch (error) {
          embed.reject(error as Error);
        }
      } else if (this.#running.length > 0) {
        this.#step();
      } else if (this.#queue.length === 0) {
        if (this.#draining) break;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      await yieldToEventLoop();
    }
    this.#looping = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #dropCancelled(): void {
    const now = performance.now();
    for (const job of [...this.#running, ...this.#queue]) {
      let error: Error | undefined;
      if (job.request.signal?.aborted) error = new RequestCancelledError("the client went away");
      else if (now > job.deadline) {
        error = new RequestTimeoutError(`the request took longer than ${job.request.timeoutMs! / 1000} s`);
      }
      if (!error) continue;
      for (const list of [this.#running, this.#queue]) {
        const at = list.indexOf(job);
        if (at >= 0) list.splice(at, 1);
      }
      this.#end(job, error);
    }
  }

  #admit(): void {
    const engine = this.#engine;
    while (this.#queue.length > 0 && engine.slots - engine.openSequences >= this.#queue[0]!.request.n) {
      const job = this.#queue.shift()!;
      const { request } = job;
      for (let i = 0; i < request.n; i++) {
        job.sequences.push(engine.open());
        job.choices.push(
          new ChoiceGeneration(i, request.promptIds, request.params, this.#stopTokens, this.#decoders()),
        );
      }
      this.#running.push(job);
    }
  }

  /** One iteration: every decoding choice's last token, and up to a chunk of prompt tokens. */
  #step(): void {
    const engine = this.#engine;
    const entries: StepEntry[] = [];
    const owners: { job: Job; choice: ChoiceGeneration }[] = [];
    // Prompt chunks of up to prefillChunk tokens, PREFILL_CHUNKS chunks' worth per step;
    // a chunk that does not fit waits for the next step rather than being cut.
    let budget = engine.prefillChunk * PREFILL_CHUNKS;
    for (const job of this.#running) {
      job.choices.forEach((choice, i) => {
        if (choice.finished) return;
        if (choice.prefilling) {
          const size = Math.min(choice.promptRemaining, engine.prefillChunk);
          if (size > budget) {
            budget = 0;
            return;
          }
          const tokens = choice.nextTokens(size);
          budget -= tokens.length;
          entries.push({ sequence: job.sequences[i]!, tokens });
        } else {
          entries.push({ sequence: job.sequences[i]!, tokens: choice.nextTokens(1) });
        }
        owners.push({ job, choice });
      });
    }
    let logits: Float32Array[];
    try {
      logits = engine.step(entries);
    } catch (error) {
      for (const job of this.#running.splice(0)) this.#end(job, error as Error);
      return;
    }
    const now = performance.now();
    owners.forEach(({ job, choice }, k) => {
      const before = choice.lastTokenAt;
      const delta = choice.accept(logits[k]!);
      if (!choice.prefilling && !choice.finished) {
        // The next token must fit in the context.
        const sequence = job.sequences[choice.index]!;
        if (engine.length(sequence) >= engine.contextLength) this.#emit(job, choice, choice.finish("length"));
      }
      if (choice.lastTokenAt > before) {
        this.#metrics?.generatedTokens.inc();
        if (job.firstTokenSent) this.#metrics?.timePerToken.observe((now - before) / 1000);
        else this.#metrics?.timeToFirstToken.observe((now - job.arrivedAt) / 1000);
        job.firstTokenSent = true;
      }
      this.#emit(job, choice, delta);
    });
    for (const job of [...this.#running]) {
      if (job.choices.every((c) => c.finished)) {
        this.#running.splice(this.#running.indexOf(job), 1);
        this.#end(job);
      }
    }
  }

  #emit(job: Job, choice: ChoiceGeneration, delta: ChoiceDelta | undefined): void {
    if (delta) job.request.onDelta?.(choice.index, delta);
    if (choice.finished && !job.reported.has(choice.index)) {
      // Its slot is free for the next request at once.
      job.reported.add(choice.index);
      this.#engine.close(job.sequences[choice.index]!);
      job.request.onFinish?.(choice.index, choice.finishReason!);
    }
  }

  /** Frees the job's slots and settles its promise. */
  #end(job: Job, error?: Error): void {
    for (const sequence of job.sequences) this.#engine.close(sequence);
    job.detach();
    const completionTokens = job.choices.reduce((sum, c) => sum + c.generated.length, 0);
    if (error) job.reject(error);
    else job.resolve({ promptTokens: job.request.promptIds.length, completionTokens });
    this.#updateGauges();
  }

  #updateGauges(): void {
    const m = this.#metrics;
    if (!m) return;
    m.requestsRunning.set(this.#running.length);
    m.requestsQueued.set(this.#queue.length);
    m.slotsBusy.set(this.#engine.openSequences);
    m.kvCacheUsage.set(this.#engine.cacheUsage());
  }
}
