import type {
  EngineMethod,
  EngineMethods,
  EngineReplyMessage,
  EngineRequestMessage,
} from "./engine-protocol.js";

/**
 * The page's side of the engine: infiniset running in a Web Worker (engine-worker.ts), on
 * the wasm target's pool of Web Workers over one shared memory. Every call is a message
 * and a promise, so the page's thread never blocks; calls that stream (training progress,
 * generated tokens) take a callback for their events. The page must be cross-origin
 * isolated (COOP/COEP headers) for the pool's shared memory; without it the engine runs
 * on one thread.
 */
export class Engine {
  readonly #worker: Worker;
  #nextId = 1;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; onEvent?: (event: unknown) => void }
  >();

  constructor(worker?: Worker) {
    this.#worker =
      worker ??
      new Worker(new URL("./engine-worker.js", import.meta.url), {
        type: "module",
        name: "infiniset engine",
      });
    this.#worker.onmessage = ({ data }: MessageEvent<EngineReplyMessage>) => {
      const call = this.#pending.get(data.id);
      if (!call) return;
      if ("event" in data) call.onEvent?.(data.event);
      else {
        this.#pending.delete(data.id);
        if ("error" in data) call.reject(new Error(data.error));
        else call.resolve(data.result);
      }
    };
    this.#worker.onerror = (event) => {
      const error = new Error(`the engine's worker failed: ${event.message}`);
      for (const call of this.#pending.values()) call.reject(error);
      this.#pending.clear();
    };
  }

  /** Sends one request; `onEvent` receives what it streams before the result. */
  call<M extends EngineMethod>(
    method: M,
    params: EngineMethods[M]["params"],
    onEvent?: (event: EngineMethods[M]["event"]) => void,
  ): Promise<EngineMethods[M]["result"]> {
    const id = this.#nextId++;
    const message: EngineRequestMessage = { id, method, params };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        ...(onEvent ? { onEvent: onEvent as (event: unknown) => void } : {}),
      });
      this.#worker.postMessage(message);
    });
  }

  terminate(): void {
    this.#worker.terminate();
  }
}
