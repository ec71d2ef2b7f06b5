/**
 * The status words kernels record failures in (an index out of range: gather, scatterAdd,
 * checkRange). A failing check stores its number and the first failing position; a
 * one-invocation report dispatch right after it stores the value found there, while the
 * checked buffer is still intact. The target reads the words back with the next value read
 * after a program with checks, and throws the instruction's own message.
 *
 * Words: [0] failing check (lowest number; none = 0xffffffff), [1] first failing position,
 * [2] whether [3] holds the value, [3] the value.
 */
import type { DeviceConnection } from "./device-connection.js";

export const STATUS_WORDS = 4;
export const NO_FAILURE = 0xffffffff;

function initialStatus(): ArrayBuffer {
  return new Uint32Array([NO_FAILURE, NO_FAILURE, 0, 0]).buffer as ArrayBuffer;
}

/** Says what failed, from the position and value a check recorded. */
export type FailureMessage = (position: number, value: number) => string;

/**
 * The target's status words on the device, the checks that may write them, and whether a
 * program with checks has run since they were last read.
 */
export class StatusChecks {
  private pending = false;

  private readonly messages: FailureMessage[] = [];

  /** A number for a check (its kernel's parameter) and how to word its failure. */
  register(message: FailureMessage): number {
    return this.messages.push(message) - 1;
  }

  constructor(
    private readonly connection: DeviceConnection,
    /** The device buffer holding the words. */
    readonly buffer: number,
  ) {
    connection.enqueue({ op: "create", buffer, bytes: STATUS_WORDS * 4 });
    connection.enqueue({ op: "write", buffer, offset: 0, data: initialStatus() });
  }

  /** A program with checks was sent. */
  ran(): void {
    this.pending = true;
  }

  /** Throws what a check recorded, if one failed (reading the words where needed). */
  verifySync(): void {
    if (!this.pending) return;
    this.pending = false;
    this.throwIfFailed(new Uint32Array(this.connection.readSync(this.buffer, 0, STATUS_WORDS * 4)));
  }

  async verify(): Promise<void> {
    if (!this.pending) return;
    this.pending = false;
    this.throwIfFailed(new Uint32Array(await this.connection.read(this.buffer, 0, STATUS_WORDS * 4)));
  }

  private throwIfFailed(words: Uint32Array): void {
    const error = this.failure(words);
    if (!error) return;
    this.connection.enqueue({ op: "write", buffer: this.buffer, offset: 0, data: initialStatus() });
    throw error;
  }

  /** The error for status words read back, if a check failed. */
  private failure(words: Uint32Array): Error | undefined {
    if (words[0] === NO_FAILURE) return undefined;
    const message = this.messages[words[0]!];
    const value = words[2] ? words[3]! | 0 : Number.NaN;
    return new Error(message ? message(words[1]!, value) : "internal: an unknown webgpu check failed");
  }
}
