/**
 * The numbers a generated kernel reads at run time: buffer offsets, sizes and strides.
 * They are not baked into the C, so one compiled kernel serves every shape with the same
 * structure (a compiled library is shared by many programs, and found again on disk).
 *
 * Each kernel gets an int64 array; p[0] is the arena's address, set when the program
 * runs. Buffers are byte offsets from it, recorded as such so that a run can point a
 * buffer elsewhere (a large input read where the caller keeps it, an output written
 * straight into the array returned). `int`, `buffer` and `f64` return the C expression
 * that reads the value back.
 */
export class KernelParams {
  private readonly values: { kind: "int" | "f64"; value: number }[] = [{ kind: "int", value: 0 }];
  /** Slot → buffer, for the slots that hold a buffer's offset. */
  readonly bufferSlots = new Map<number, number>();

  int(value: number): string {
    if (!Number.isSafeInteger(value))
      throw new Error(`internal: kernel parameter ${value} is not an integer`);
    this.values.push({ kind: "int", value });
    return `p[${this.values.length - 1}]`;
  }

  /** The byte offset of buffer `id` from the arena (its place in the arena plan, unless a run moves it). */
  buffer(id: number, offset: number): string {
    const read = this.int(offset);
    this.bufferSlots.set(this.values.length - 1, id);
    return read;
  }

  f64(value: number): string {
    this.values.push({ kind: "f64", value });
    return `p_f64(p, ${this.values.length - 1})`;
  }

  /** Overwrites an int parameter added earlier (a slot whose value is known only later). */
  set(index: number, value: number): void {
    const slot = this.values[index];
    if (slot?.kind !== "int" || index === 0) throw new Error(`internal: no int parameter ${index}`);
    slot.value = value;
  }

  get length(): number {
    return this.values.length;
  }

  /** Writes the values at `at` (in int64 elements) of a params block; p[0] is left for the arena. */
  writeTo(ints: BigInt64Array, floats: Float64Array, at: number): void {
    this.values.forEach(({ kind, value }, i) => {
      if (i === 0) return;
      if (kind === "int") ints[at + i] = BigInt(value);
      else floats[at + i] = value;
    });
  }
}
