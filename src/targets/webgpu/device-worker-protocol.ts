import type { DeviceCommand, DeviceProgramSpec } from "./device-commands.js";

/**
 * Messages from the calling thread to the worker that owns the device (Node). A `reply`
 * buffer means the caller is blocked in Atomics.wait on its first int32 until the worker
 * writes the outcome: state (1 done, 2 failed), byte length, then the bytes (the values, or
 * the error message in UTF-8). A `ticket` means the caller awaits a posted reply.
 */
export type WorkerRequest =
  | { readonly kind: "commands"; readonly commands: readonly DeviceCommand[] }
  | { readonly kind: "load"; readonly spec: DeviceProgramSpec; readonly reply: SharedArrayBuffer }
  | { readonly kind: "unload"; readonly program: number }
  | {
      readonly kind: "read";
      readonly buffer: number;
      readonly offset: number;
      readonly bytes: number;
      readonly reply?: SharedArrayBuffer;
      readonly ticket?: number;
    };

export type WorkerReply =
  | { readonly ticket: number; readonly data: ArrayBuffer }
  | { readonly ticket: number; readonly error: string };

/** Header of a reply buffer: state, byte length (int32 each). */
export const REPLY_HEADER_BYTES = 8;
/** Room for an error message in a reply buffer. */
export const REPLY_MESSAGE_BYTES = 8192;

export const ReplyState = { PENDING: 0, DONE: 1, FAILED: 2 } as const;

/** Writes an outcome into a reply buffer and wakes the waiting thread. */
export function writeReply(
  reply: SharedArrayBuffer,
  outcome: { data: ArrayBuffer } | { error: string },
): void {
  const header = new Int32Array(reply, 0, 2);
  const body = new Uint8Array(reply, REPLY_HEADER_BYTES);
  let state: number;
  let bytes: Uint8Array;
  if ("data" in outcome) {
    state = ReplyState.DONE;
    bytes = new Uint8Array(outcome.data);
  } else {
    state = ReplyState.FAILED;
    bytes = new TextEncoder().encode(outcome.error).subarray(0, body.length);
  }
  body.set(bytes);
  header[1] = bytes.length;
  Atomics.store(header, 0, state);
  Atomics.notify(header, 0);
}
