// One choice of one request, token by token: its prompt fed in chunks, then sampling with
// the request's options and seed, the text decoded as it comes, stop strings held back
// until they are ruled out, and log-probabilities when asked for.
import { SeededRng } from "../random/seeded-rng.js";
import { type SamplingOptions, sampleToken } from "../text/sampling.js";
import { checkStopSequences, pendingStopPrefixLength } from "../text/stop-sequences.js";

export type FinishReason = "stop" | "length";

export interface GenerationParams {
  /** Tokens to generate at most (already within the context). */
  maxTokens: number;
  /** Temperature, top-k/p, min-p, presence and frequency penalties, logit bias. */
  sampler: SamplingOptions;
  seed: number;
  /** Generation ends before the first of these strings (which is not returned). */
  stop: readonly string[];
  /** Log-probabilities of each token and of this many alternatives; undefined: none. */
  logprobs: number | undefined;
}

export interface TokenLogprob {
  id: number;
  logprob: number;
  /** The most likely tokens at this position, most likely first. */
  top: { id: number; logprob: number }[];
}

/** What a step adds to a choice: text to send, and the tokens it came from. */
export interface ChoiceDelta {
  text: string;
  tokens: TokenLogprob[];
}

/** Log-softmax of the raw logits at `id`, and the `top` most likely tokens. */
export function tokenLogprob(logits: Float32Array, id: number, top: number): TokenLogprob {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  const best: { id: number; logprob: number }[] = [];
  if (top > 0) {
    for (let i = 0; i < logits.length; i++) {
      const v = logits[i]!;
      if (best.length === top && v <= best[top - 1]!.logprob) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.logprob < v) at--;
      best.splice(at, 0, { id: i, logprob: v });
      if (best.length > top) best.pop();
    }
    for (const b of best) b.logprob -= lse;
  }
  return { id, logprob: logits[id]! - lse, top: best };
}

export class ChoiceGeneration {
  readonly index: number;
  readonly generated: number[] = [];
  finishReason: FinishReason | undefined;
  /** Milliseconds (performance.now) when the last token was chosen. */
  lastTokenAt = 0;
  readonly #prompt: readonly number[];
  readonly #params: GenerationParams;
  readonly #stopTokens: ReadonlySet<number>;
  readonly #decode: (id: number) => string;
  readonly #rng: SeededRng;
  #fed = 0;
  #text = "";
  #sent = 0;
  #pendingTokens: TokenLogprob[] = [];

  constructor(
    index: number,
    prompt: readonly number[],
    params: GenerationParams,
    stopTokens: ReadonlySet<number>,
    decoder: (id: number) => string,
  ) {
    this.index = index;
    this.#prompt = prompt;
    this.#params = params;
    this.#stopTokens = stopTokens;
    this.#decode = decoder;
    // Each choice of a request draws from its own stream of the request's seed.
    this.#rng = new SeededRng((params.seed + index) >>> 0);
  }

  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  /** True while prompt tokens are left to feed. */
  get prefilling(): boolean {
    return this.#fed < this.#prompt.length;
  }

  get promptRemaining(): number {
    return this.#prompt.length - this.#fed;
  }

  /** The tokens to feed next: up to `limit` prompt tokens, or the last token chosen. */
  nextTokens(limit: number): number[] {
    if (this.prefilling) {
      const chunk = this.#prompt.slice(this.#fed, this.#fed + limit);
      this.#fed += chunk.length;
      return chunk;
    }
    return [this.generated[this.generated.length - 1]!];
  }

  /**
   * Takes the logits after the tokens fed last (nothing to do while the prompt is not all
   * fed), chooses a token and returns what to send, if anything.
   */
  accept(logits: Float32Array): ChoiceDelta | undefined {
    if (this.prefilling || this.finished) return undefined;
    const params = this.#params;
    const id = sampleToken(logits, this.#rng, { ...params.sampler, previousTokens: this.generated });
    this.lastTokenAt = performance.now();
    if (this.#stopTokens.has(id)) {
      this.finishReason = "stop";
      return this.#release(this.#text.length);
    }
    this.generated.push(id);
    if (params.logprobs !== undefined) this.#pendingTokens.push(tokenLogprob(logits, id, params.logprobs));
    this.#text += this.#decode(id);
    const stop = params.stop.length ? checkStopSequences(this.#text, params.stop) : undefined;
    if (stop?.stopped) {
      this.finishReason = "stop";
      this.#text = stop.text;
      return this.#release(this.#text.length);
    }
    if (this.generated.length >= params.maxTokens) {
      this.finishReason = "length";
      return this.#release(this.#text.length);
    }
    const held = params.stop.length ? pendingStopPrefixLength(this.#text, params.stop) : 0;
    return this.#release(this.#text.length - held);
  }

  /** Ends the choice early (the context is full). */
  finish(reason: FinishReason): ChoiceDelta | undefined {
    this.finishReason = reason;
    return this.#release(this.#text.length);
  }

  /** Text up to `end` not yet sent, with the tokens chosen since the last release. */
  #release(end: number): ChoiceDelta | undefined {
    if (end <= this.#sent && !(this.finished && this.#pendingTokens.length)) return undefined;
    const text = this.#text.slice(this.#sent, Math.max(end, this.#sent));
    this.#sent = Math.max(end, this.#sent);
    const tokens = this.#pendingTokens;
    this.#pendingTokens = [];
    return { text, tokens };
  }
}
