import { concatBytes, f32Bytes, signedLeb, unsignedLeb } from "./encoding.js";
import { MiscOp, Op, SimdOp, type ValType } from "./opcodes.js";

/**
 * Writes one function body. Locals are declared on demand; structured control flow
 * (block/loop/if) is written with callbacks so that every `end` matches its opener.
 */
export class CodeWriter {
  readonly bytes: number[] = [];
  private readonly localTypes: ValType[] = [];
  private depth = 0;

  constructor(readonly paramCount: number) {}

  /** A new local of the given type; returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  op(code: number): this {
    this.bytes.push(code);
    return this;
  }
  simd(code: number): this {
    this.bytes.push(0xfd, ...unsignedLeb(code));
    return this;
  }
  misc(code: number): this {
    this.bytes.push(0xfc, ...unsignedLeb(code));
    return this;
  }

  get(local: number): this {
    this.bytes.push(Op.local_get, ...unsignedLeb(local));
    return this;
  }
  set(local: number): this {
    this.bytes.push(Op.local_set, ...unsignedLeb(local));
    return this;
  }
  tee(local: number): this {
    this.bytes.push(Op.local_tee, ...unsignedLeb(local));
    return this;
  }
  i32(value: number): this {
    this.bytes.push(Op.i32_const, ...signedLeb(value));
    return this;
  }
  f32(value: number): this {
    this.bytes.push(Op.f32_const, ...f32Bytes(value));
    return this;
  }
  f64(value: number): this {
    this.bytes.push(Op.f64_const, ...new Uint8Array(Float64Array.of(value).buffer));
    return this;
  }
  call(func: number): this {
    this.bytes.push(Op.call, ...unsignedLeb(func));
    return this;
  }

  /** A memory access: alignment exponent and a constant byte offset. */
  mem(code: number, align: number, offset = 0): this {
    this.bytes.push(code, ...unsignedLeb(align), ...unsignedLeb(offset));
    return this;
  }
  simdMem(code: number, offset = 0): this {
    this.simd(code);
    this.bytes.push(...unsignedLeb(4), ...unsignedLeb(offset));
    return this;
  }
  /** A SIMD memory access with a smaller alignment hint (load32_splat: 2). */
  simdMemAligned(code: number, align: number, offset = 0): this {
    this.simd(code);
    this.bytes.push(...unsignedLeb(align), ...unsignedLeb(offset));
    return this;
  }
  lane(code: number, lane: number): this {
    this.simd(code);
    this.bytes.push(lane);
    return this;
  }

  /**
   * Adds Σ counters[a]·strides[a] to the i32 on the stack (an element's position from the
   * loop counters; strides of 0 add nothing).
   */
  addStrided(counters: readonly number[], strides: readonly number[]): this {
    counters.forEach((counter, axis) => {
      const stride = strides[axis]!;
      if (stride !== 0) this.get(counter).i32(stride).op(Op.i32_mul).op(Op.i32_add);
    });
    return this;
  }

  /**
   * Loops nested in order around `body`: counter d runs from 0 to extents[d], except the
   * first when `range` is given, which runs from the local range[0] to the local range[1]
   * (a kernel's tile range).
   */
  nestedLoops(
    counters: readonly number[],
    extents: readonly number[],
    body: () => void,
    range?: readonly [number, number],
  ): this {
    const level = (d: number): void => {
      if (d === counters.length) {
        body();
        return;
      }
      const ranged = d === 0 && range !== undefined;
      this.forLoop(
        counters[d]!,
        () => (ranged ? this.get(range[0]) : this.i32(0)),
        () => (ranged ? this.get(range[1]) : this.i32(extents[d]!)),
        1,
        () => level(d + 1),
      );
    };
    level(0);
    return this;
  }

  /** `for (i = from; i < to; i += step) body()` with i32 bounds given as emitters. */
  forLoop(counter: number, from: () => void, to: () => void, step: number, body: () => void): this {
    from();
    this.set(counter);
    this.block(() => {
      this.loop(() => {
        this.get(counter);
        to();
        this.op(Op.i32_ge_s).br_if(1);
        body();
        this.get(counter).i32(step).op(Op.i32_add).set(counter);
        this.br(0);
      });
    });
    return this;
  }

  block(body: () => void): this {
    return this.structured(Op.block, body);
  }
  loop(body: () => void): this {
    return this.structured(Op.loop, body);
  }
  ifThen(body: () => void, otherwise?: () => void): this {
    this.bytes.push(Op.if, 0x40);
    this.depth++;
    body();
    if (otherwise) {
      this.bytes.push(Op.else);
      otherwise();
    }
    this.depth--;
    this.bytes.push(Op.end);
    return this;
  }
  br(label: number): this {
    this.bytes.push(Op.br, ...unsignedLeb(label));
    return this;
  }
  br_if(label: number): this {
    this.bytes.push(Op.br_if, ...unsignedLeb(label));
    return this;
  }

  private structured(code: number, body: () => void): this {
    this.bytes.push(code, 0x40);
    this.depth++;
    body();
    this.depth--;
    this.bytes.push(Op.end);
    return this;
  }

  /** The encoded body: local declarations (runs of equal types), code, end. */
  finish(): number[] {
    if (this.depth !== 0) throw new Error("wasm emitter: unbalanced blocks");
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const locals = [...unsignedLeb(runs.length), ...runs.flatMap(([n, t]) => [...unsignedLeb(n), t])];
    const body = concatBytes([locals, this.bytes, [Op.end]]);
    return concatBytes([unsignedLeb(body.length), body]);
  }
}

export { MiscOp, Op, SimdOp };
