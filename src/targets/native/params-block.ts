import { addressOf } from "./ffi.js";
import type { KernelParams } from "./kernel-params.js";

/**
 * The parameters of a program's kernels, side by side in one shared buffer that C reads
 * through a pointer (worker threads read the same memory). p[0] of each kernel is the
 * arena's address, rewritten when the arena moves; a buffer's offset slots are rewritten
 * when a run places that buffer outside the arena.
 */
export class ParamsBlock {
  private readonly ints: BigInt64Array;
  private readonly starts: number[] = [];
  /** Address of each kernel's parameters. */
  readonly addresses: bigint[];
  private arenaAddress = -1n;
  /** Buffer → every slot (absolute index) holding its offset. */
  private readonly slots = new Map<number, number[]>();
  /** Buffer → the offset its slots hold now. */
  private readonly placed = new Map<number, bigint>();

  constructor(kernels: readonly (KernelParams | undefined)[]) {
    let total = 0;
    for (const p of kernels) {
      this.starts.push(total);
      // Each kernel's parameters start on a cache line.
      total += Math.ceil((p?.length ?? 0) / 8) * 8;
    }
    const buffer = new SharedArrayBuffer(Math.max(8, total) * 8);
    this.ints = new BigInt64Array(buffer);
    const floats = new Float64Array(buffer);
    kernels.forEach((p, k) => {
      if (!p) return;
      p.writeTo(this.ints, floats, this.starts[k]!);
      for (const [slot, id] of p.bufferSlots) {
        const list = this.slots.get(id) ?? [];
        list.push(this.starts[k]! + slot);
        this.slots.set(id, list);
      }
    });
    const base = addressOf(this.ints);
    this.addresses = this.starts.map((s) => base + BigInt(s * 8));
  }

  /** Points every kernel at the arena (cheap when it has not moved). */
  setArena(address: bigint): void {
    if (address === this.arenaAddress) return;
    for (const s of this.starts) this.ints[s] = address;
    this.arenaAddress = address;
  }

  /** Parameter `slot` of kernel `k` (a value the kernel wrote). */
  read(k: number, slot: number): bigint {
    return this.ints[this.starts[k]! + slot]!;
  }

  write(k: number, slot: number, value: bigint): void {
    this.ints[this.starts[k]! + slot] = value;
  }

  /** Whether any kernel reads or writes the buffer. */
  uses(id: number): boolean {
    return this.slots.has(id);
  }

  /** Points every kernel's slots for buffer `id` at `offset` bytes from the arena. */
  placeBuffer(id: number, offset: bigint): void {
    if (this.placed.get(id) === offset) return;
    for (const slot of this.slots.get(id) ?? []) this.ints[slot] = offset;
    this.placed.set(id, offset);
  }
}
