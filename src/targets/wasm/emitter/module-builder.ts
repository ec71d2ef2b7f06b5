import type { CodeWriter } from "./code-writer.js";
import { concatBytes, nameBytes, unsignedLeb, vectorBytes } from "./encoding.js";
import type { ValType } from "./opcodes.js";

interface FuncType {
  params: ValType[];
  results: ValType[];
}

/**
 * Assembles a module: function types, imports (memory and host functions), functions
 * and exports. Imported functions take the first function indices, as the format requires.
 */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly importedFuncs: { module: string; name: string; type: number }[] = [];
  private readonly funcs: { type: number; code: CodeWriter; exportName?: string }[] = [];
  private memory:
    | { module: string; name: string; minPages: number; maxPages?: number; shared: boolean }
    | undefined;

  private typeIndex(params: ValType[], results: ValType[]): number {
    const i = this.types.findIndex(
      (t) => t.params.join() === params.join() && t.results.join() === results.join(),
    );
    if (i >= 0) return i;
    this.types.push({ params, results });
    return this.types.length - 1;
  }

  importMemory(module: string, name: string, minPages: number, maxPages?: number, shared = false): void {
    this.memory = { module, name, minPages, shared, ...(maxPages !== undefined ? { maxPages } : {}) };
  }

  /** Imports a host function; returns its function index. Import all before adding functions. */
  importFunction(module: string, name: string, params: ValType[], results: ValType[]): number {
    if (this.funcs.length > 0) throw new Error("wasm emitter: import functions before defining any");
    this.importedFuncs.push({ module, name, type: this.typeIndex(params, results) });
    return this.importedFuncs.length - 1;
  }

  /** The index the next added function will get (so a body can call a function defined later). */
  nextFunctionIndex(): number {
    return this.importedFuncs.length + this.funcs.length;
  }

  addFunction(params: ValType[], results: ValType[], code: CodeWriter, exportName?: string): number {
    this.funcs.push({ type: this.typeIndex(params, results), code, ...(exportName ? { exportName } : {}) });
    return this.importedFuncs.length + this.funcs.length - 1;
  }

  toBytes(): Uint8Array {
    const section = (id: number, payload: number[]) =>
      concatBytes([[id], unsignedLeb(payload.length), payload]);
    const sections: number[][] = [[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]];
    sections.push(
      section(
        1,
        vectorBytes(
          this.types.map((t) => [
            0x60,
            ...unsignedLeb(t.params.length),
            ...t.params,
            ...unsignedLeb(t.results.length),
            ...t.results,
          ]),
        ),
      ),
    );
    const imports: number[][] = this.importedFuncs.map((f) => [
      ...nameBytes(f.module),
      ...nameBytes(f.name),
      0x00,
      ...unsignedLeb(f.type),
    ]);
    if (this.memory) {
      const m = this.memory;
      const flags = (m.maxPages !== undefined ? 1 : 0) | (m.shared ? 2 : 0);
      imports.push([
        ...nameBytes(m.module),
        ...nameBytes(m.name),
        0x02,
        flags,
        ...unsignedLeb(m.minPages),
        ...(m.maxPages !== undefined ? unsignedLeb(m.maxPages) : []),
      ]);
    }
    sections.push(section(2, vectorBytes(imports)));
    sections.push(section(3, vectorBytes(this.funcs.map((f) => unsignedLeb(f.type)))));
    const exports = this.funcs.flatMap((f, i) =>
      f.exportName ? [[...nameBytes(f.exportName), 0x00, ...unsignedLeb(this.importedFuncs.length + i)]] : [],
    );
    sections.push(section(7, vectorBytes(exports)));
    sections.push(section(10, vectorBytes(this.funcs.map((f) => f.code.finish()))));
    return new Uint8Array(concatBytes(sections));
  }
}
