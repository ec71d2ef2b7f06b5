// llama.cpp through node-llama-cpp (pinned 3.21.1 in bench/package.json), the reference for
// GGUF models: loaded once per process, on the CPU, never built from source here. Imported by
// a computed name and described by the interfaces below (the part of its API the benches
// use), so the benches build whether or not bench/setup.sh has installed it.

/** A token id as node-llama-cpp types it. */
export type Token = number & { readonly __token?: never };

export interface LlamaCppSequence {
  evaluate(tokens: readonly Token[], options: { temperature: number }): AsyncIterable<Token>;
  evaluateWithoutGeneratingNewTokens(tokens: readonly Token[]): Promise<void>;
  controlledEvaluate(
    input: readonly (readonly [Token, { generateNext: { probabilities: true } }])[],
  ): Promise<({ next: { probabilities?: Map<Token, number> } } | undefined)[]>;
  dispose(): void;
}

export interface LlamaCppContext {
  getSequence(): LlamaCppSequence;
  dispose(): Promise<void>;
}

export interface LlamaCppModel {
  readonly tokens: { readonly bos: Token | null };
  tokenize(text: string, specialTokens?: boolean): readonly Token[];
  createContext(options: {
    contextSize: number;
    threads?: number;
    batchSize?: number;
    flashAttention?: boolean;
    experimentalKvCacheKeyType?: string;
    experimentalKvCacheValueType?: string;
  }): Promise<LlamaCppContext>;
  dispose(): Promise<void>;
}

export interface Llama {
  loadModel(options: { modelPath: string }): Promise<LlamaCppModel>;
}

interface NodeLlamaCpp {
  getLlama(options: { gpu: false; build: "never"; logLevel: string }): Promise<Llama>;
}

let llama: Promise<Llama | undefined> | undefined;

/** llama.cpp, or undefined (with the reason logged) when node-llama-cpp is not installed. */
export function loadLlamaCpp(log: (message: string) => void): Promise<Llama | undefined> {
  llama ??= (async () => {
    try {
      const specifier: string = "node-llama-cpp";
      const { getLlama } = (await import(specifier)) as NodeLlamaCpp;
      return await getLlama({ gpu: false, build: "never", logLevel: "error" });
    } catch (error) {
      log(
        `llama.cpp skipped: node-llama-cpp is not usable (${(error as Error).message.split("\n")[0]}); run bench/setup.sh`,
      );
      return undefined;
    }
  })();
  return llama;
}
