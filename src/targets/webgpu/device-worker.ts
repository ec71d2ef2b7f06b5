import { parentPort, workerData } from "node:worker_threads";
import { DeviceExecutor } from "./device-executor.js";
import { type WorkerReply, type WorkerRequest, writeReply } from "./device-worker-protocol.js";
import { requestDevice } from "./request-device.js";

/**
 * The worker thread that owns the GPU device in Node. It takes requests in order (a read
 * waits for the commands sent before it) and answers the blocked caller through its reply
 * buffer, or an awaiting one by message.
 */
const { ready } = workerData as { ready: SharedArrayBuffer };
const port = parentPort!;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function start(): Promise<void> {
  let executor: DeviceExecutor;
  try {
    const { device, report } = await requestDevice();
    executor = new DeviceExecutor(device);
    writeReply(ready, { data: new TextEncoder().encode(JSON.stringify(report)).buffer as ArrayBuffer });
  } catch (error) {
    writeReply(ready, { error: message(error) });
    return;
  }
  // A failure in a batch of commands is reported by the next read, like a device error.
  let pending: string | undefined;
  const handle = async (request: WorkerRequest): Promise<void> => {
    switch (request.kind) {
      case "commands":
        try {
          executor.execute(request.commands);
        } catch (error) {
          pending ??= message(error);
        }
        return;
      case "unload":
        executor.unload(request.program);
        return;
      case "load":
        try {
          await executor.load(request.spec);
          writeReply(request.reply, { data: new ArrayBuffer(0) });
        } catch (error) {
          writeReply(request.reply, { error: message(error) });
        }
        return;
      case "read": {
        let outcome: { data: ArrayBuffer } | { error: string };
        try {
          if (pending !== undefined) throw new Error(pending);
          outcome = { data: await executor.read(request.buffer, request.offset, request.bytes) };
        } catch (error) {
          pending = undefined;
          outcome = { error: message(error) };
        }
        if (request.reply) writeReply(request.reply, outcome);
        else {
          const reply: WorkerReply = { ticket: request.ticket!, ...outcome };
          port.postMessage(reply, "data" in outcome ? [outcome.data] : []);
        }
        return;
      }
    }
  };
  let queue = Promise.resolve();
  port.on("message", (request: WorkerRequest) => {
    queue = queue
      .then(() => handle(request))
      .catch((error) => {
        pending ??= message(error);
      });
  });
}

void start();
