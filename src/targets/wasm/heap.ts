/**
 * Allocates blocks of the target's WebAssembly memory: program arenas for the length of a
 * run, and the buffers that hold realised values between runs. First fit over a free list
 * kept in address order, with neighbouring free blocks merged; the memory grows when no
 * free block is large enough.
 */
const ALIGN = 64;

export class WasmHeap {
  private readonly free: { address: number; size: number }[] = [];
  private readonly used = new Map<number, number>();
  private top = ALIGN;

  constructor(
    readonly memory: WebAssembly.Memory,
    private readonly maxBytes: number,
  ) {}

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const i = this.free.findIndex((b) => b.size >= size);
    let address: number;
    if (i >= 0) {
      const block = this.free[i]!;
      address = block.address;
      if (block.size === size) this.free.splice(i, 1);
      else this.free[i] = { address: block.address + size, size: block.size - size };
    } else {
      address = this.top;
      this.top += size;
      this.ensure(this.top);
    }
    this.used.set(address, size);
    return address;
  }

  release(address: number): void {
    const size = this.used.get(address);
    if (size === undefined) throw new Error(`internal: wasm heap: block ${address} is not allocated`);
    this.used.delete(address);
    let at = this.free.findIndex((b) => b.address > address);
    if (at < 0) at = this.free.length;
    this.free.splice(at, 0, { address, size });
    // merge with the next block, then with the previous one
    const next = this.free[at + 1];
    if (next && address + size === next.address) {
      this.free[at]!.size += next.size;
      this.free.splice(at + 1, 1);
    }
    const previous = this.free[at - 1];
    if (previous && previous.address + previous.size === address) {
      previous.size += this.free[at]!.size;
      this.free.splice(at, 1);
    }
    // a free block at the top goes back to the untouched region
    const last = this.free[this.free.length - 1];
    if (last && last.address + last.size === this.top) {
      this.top = last.address;
      this.free.pop();
    }
  }

  /** Bytes in blocks now allocated. */
  get allocatedBytes(): number {
    let n = 0;
    for (const size of this.used.values()) n += size;
    return n;
  }

  private ensure(bytes: number) {
    if (bytes > this.maxBytes) {
      throw new Error(
        `wasm target: out of memory (${(bytes / 2 ** 20).toFixed(0)} MiB needed, at most ${this.maxBytes / 2 ** 20} MiB)`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }
}
