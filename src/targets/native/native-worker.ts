import { nodeWorkerSide } from "../pool/node-workers.js";
import { servePrograms } from "../pool/serve-programs.js";
import type { PoolWorkerData, TileKernel } from "../pool/worker-protocol.js";
import { bindKernel } from "./ffi.js";
import type { NativeLoadMessage } from "./native-worker-protocol.js";

/**
 * A worker of the native target: it opens each program's libraries (the same files the
 * main thread opened, so the same code in this process) and runs the tiles of each launch
 * with the program's parameters, which point into the shared arena.
 */
const { data, receive } = nodeWorkerSide<PoolWorkerData>();
const programs = new Map<number, (TileKernel | undefined)[]>();

await servePrograms(
  new Int32Array(data.control),
  receive,
  {
    load(programId, message) {
      const { kernels } = message as NativeLoadMessage;
      programs.set(
        programId,
        kernels.map((k) => {
          if (!k) return undefined;
          const call = bindKernel(k.path, k.symbol);
          return (begin: number, end: number) => call(k.params, begin, end);
        }),
      );
    },
    kernel: (programId, kernel) => programs.get(programId)![kernel]!,
  },
  "native",
);
