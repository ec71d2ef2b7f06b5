import { Worker } from "node:worker_threads";
import type { AdapterReport, DeviceCommand, DeviceProgramSpec } from "./device-commands.js";
import type { DeviceConnection } from "./device-connection.js";
import {
  REPLY_HEADER_BYTES,
  REPLY_MESSAGE_BYTES,
  ReplyState,
  type WorkerReply,
  type WorkerRequest,
} from "./device-worker-protocol.js";
import { NoAdapterError } from "./request-device.js";

/** How long a blocked read waits for the device before giving up. */
const WAIT_MS = 10 * 60 * 1000;

/**
 * The device on a worker thread (Node). Starting it and loading a program block the
 * caller until the worker answers, so the target can be created synchronously (for
 * INFINISET_TARGET and setDefaultTarget) and `dataSync()` keeps working: the caller waits
 * on a shared buffer while the worker maps the staging buffer.
 */
export class WorkerConnection implements DeviceConnection {
  readonly canReadSync = true;
  readonly report: AdapterReport;
  private readonly worker: Worker;
  private queue: DeviceCommand[] = [];
  private nextTicket = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (d: ArrayBuffer) => void; reject: (e: Error) => void }
  >();

  constructor() {
    const ready = replyBuffer(0);
    this.worker = new Worker(new URL("./device-worker.js", import.meta.url), {
      workerData: { ready },
      execArgv: process.execArgv.filter((flag) => !flag.startsWith("--input-type")),
    });
    this.worker.on("message", (reply: WorkerReply) => this.settle(reply));
    this.worker.on("error", (error) => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    });
    // The device thread never keeps the process alive, except while a read is awaited
    // (after the listeners: adding one refs the worker again).
    this.worker.unref();
    try {
      const report = new TextDecoder().decode(waitForReply(ready, "starting the GPU device"));
      this.report = JSON.parse(report) as AdapterReport;
    } catch (error) {
      void this.worker.terminate();
      throw new NoAdapterError((error as Error).message);
    }
  }

  load(spec: DeviceProgramSpec): void {
    this.flush();
    const reply = replyBuffer(0);
    this.post({ kind: "load", spec, reply });
    waitForReply(reply, "compiling kernels");
  }

  unload(program: number): void {
    this.flush();
    this.post({ kind: "unload", program });
  }

  enqueue(command: DeviceCommand): void {
    this.queue.push(command);
  }

  flush(): void {
    if (this.queue.length === 0) return;
    const commands = this.queue;
    this.queue = [];
    const transfer = commands.flatMap((c) => (c.op === "write" ? [c.data] : []));
    this.worker.postMessage({ kind: "commands", commands } satisfies WorkerRequest, transfer);
  }

  readSync(buffer: number, offset: number, bytes: number): ArrayBuffer {
    this.flush();
    const reply = replyBuffer(bytes);
    this.post({ kind: "read", buffer, offset, bytes, reply });
    return waitForReply(reply, "reading a value").buffer as ArrayBuffer;
  }

  read(buffer: number, offset: number, bytes: number): Promise<ArrayBuffer> {
    this.flush();
    const ticket = this.nextTicket++;
    const result = new Promise<ArrayBuffer>((resolve, reject) =>
      this.waiting.set(ticket, { resolve, reject }),
    );
    if (this.waiting.size === 1) this.worker.ref();
    this.post({ kind: "read", buffer, offset, bytes, ticket });
    return result;
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.waiting.get(reply.ticket);
    if (!waiter) return;
    this.waiting.delete(reply.ticket);
    if (this.waiting.size === 0) this.worker.unref();
    if ("data" in reply) waiter.resolve(reply.data);
    else waiter.reject(new Error(reply.error));
  }

  private post(request: WorkerRequest): void {
    this.worker.postMessage(request);
  }
}

function replyBuffer(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(REPLY_HEADER_BYTES + Math.max(bytes, REPLY_MESSAGE_BYTES));
}

/** Blocks until the worker has answered; returns the reply's bytes or throws its error. */
function waitForReply(reply: SharedArrayBuffer, doing: string): Uint8Array {
  const header = new Int32Array(reply, 0, 2);
  const start = Date.now();
  while (Atomics.load(header, 0) === ReplyState.PENDING) {
    if (Date.now() - start > WAIT_MS)
      throw new Error(`webgpu: the device did not answer within ${WAIT_MS / 1000} s (${doing})`);
    Atomics.wait(header, 0, ReplyState.PENDING, 1000);
  }
  // A copy: the reply buffer is shared memory, which decoders and typed-array users refuse.
  const body = new Uint8Array(reply, REPLY_HEADER_BYTES, header[1]!).slice();
  if (header[0] === ReplyState.FAILED) throw new Error(new TextDecoder().decode(body));
  return body;
}
