import { nodeWorkerSide } from "../pool/node-workers.js";
import { serveWasmPrograms } from "./serve-wasm-programs.js";
import type { WorkerData } from "./worker-protocol.js";

/** A worker thread of the wasm target on Node (wasm-worker.browser.ts is a browser's). */
const { data, receive } = nodeWorkerSide<WorkerData>();
await serveWasmPrograms(data, receive);
