// llama.cpp through node-llama-cpp (pinned 3.21.1 in bench/package.json), the reference for
// GGUF models: loaded once per process, on the CPU, never built from source here.
import type { Llama } from "node-llama-cpp";

let llama: Promise<Llama | undefined> | undefined;

/** llama.cpp, or undefined (with the reason logged) when node-llama-cpp is not installed. */
export function loadLlamaCpp(log: (message: string) => void): Promise<Llama | undefined> {
  llama ??= (async () => {
    try {
      const { getLlama } = await import("node-llama-cpp");
      return await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
    } catch (error) {
      log(
        `llama.cpp skipped: node-llama-cpp is not usable (${(error as Error).message}); run bench/setup.sh`,
      );
      return undefined;
    }
  })();
  return llama;
}
