// The engine's Web Worker: the library's wasm target on its pool of Web Workers, the page's
// models, and the answers to the page's requests (engine-protocol.ts). Blocking waits on the
// pool happen here, never on the page's thread.
import { defaultTarget, setDefaultTarget } from "../runtime/default-target.js";
import { createWasmTarget, getTarget, registerTarget } from "../targets/index.js";
import type { WasmTarget } from "../targets/wasm/wasm-target.js";
import { initWebgpu } from "../targets/webgpu/open-webgpu.js";
import { ClassifierSession } from "./classifier-session.js";
import type {
  EngineInfo,
  EngineMethods,
  EngineReplyMessage,
  EngineRequestMessage,
} from "./engine-protocol.js";
import { explainSnippet, instructionTable } from "./instructions.js";
import { LanguageModelSession, TrainingControl } from "./language-model-session.js";
import { ModelFileSession } from "./model-file.js";

const scope = globalThis as unknown as {
  postMessage(message: EngineReplyMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<EngineRequestMessage>) => void) | null;
};

const models = new LanguageModelSession();
const files = new ModelFileSession();
const classifier = new ClassifierSession();
let training: TrainingControl | undefined;

let wasm = getTarget("wasm") as WasmTarget;
let started: Promise<void> | undefined;

/**
 * The wasm target, on `threads` threads when the first call asks (a new target then
 * replaces the default), with its pool started: a Web Worker starts only once its maker
 * returns to its event loop, so the pool's workers must be ready before a run waits on them.
 */
function startWasm(threads?: number): Promise<void> {
  if (threads !== undefined && threads !== wasm.threads) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a whole number ≥ 1, got ${threads}`);
    if (started)
      throw new Error(
        `the engine already runs on ${wasm.threads} threads: ask for threads in the first call`,
      );
    wasm = createWasmTarget({ threads });
    registerTarget(wasm);
    setDefaultTarget(wasm);
    started = undefined;
  }
  started ??= wasm.startWorkers();
  return started;
}

type Handlers = {
  [M in keyof EngineMethods]: (
    params: EngineMethods[M]["params"],
    emit: (event: EngineMethods[M]["event"]) => void,
  ) => EngineMethods[M]["result"] | Promise<EngineMethods[M]["result"]>;
};

const handlers: Handlers = {
  async info({ webgpu }) {
    const info: EngineInfo = {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      threads: wasm.threads,
      target: defaultTarget().description,
    };
    if (!webgpu) return info;
    try {
      const gpu = await initWebgpu();
      return { ...info, webgpu: gpu.description };
    } catch (error) {
      return { ...info, webgpuReason: (error as Error).message };
    }
  },
  async train(params, emit) {
    training?.stop();
    const control = new TrainingControl();
    training = control;
    try {
      return await models.train(params, control, emit);
    } finally {
      if (training === control) training = undefined;
    }
  },
  pause: () => training?.pause() ?? false,
  resume: () => training?.resume() ?? false,
  stop: () => training?.stop() ?? false,
  generate: (params, emit) => models.generate(params, emit),
  attention: ({ prompt }) => models.attention(prompt),
  nextTokens: ({ prompt, k }) => models.nextTokens(prompt, k),
  saveCheckpoint: () => models.saveCheckpoint(),
  loadCheckpoint: ({ bytes }) => models.loadCheckpoint(bytes),
  exportGguf: () => models.exportGguf(),
  trainClassifier: (params, emit) => classifier.train(params, emit),
  saliency: ({ text, label }) => classifier.saliency(text, label),
  openModel: ({ name, bytes }) => files.open(name, bytes),
  chat: (params, emit) => files.chat(params, (text) => emit({ text })),
  instructions: () => instructionTable(),
  explain: ({ snippet }) => explainSnippet(snippet),
};

scope.onmessage = async ({ data: { id, method, params } }) => {
  const handler = handlers[method] as (p: unknown, emit: (e: unknown) => void) => unknown;
  try {
    if (!handler) throw new Error(`unknown engine method "${method}"`);
    await startWasm(method === "info" ? (params as EngineMethods["info"]["params"]).threads : undefined);
    const result = await handler(params, (event) => scope.postMessage({ id, event }));
    scope.postMessage({ id, result }, result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : []);
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
