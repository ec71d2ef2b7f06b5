/** Byte encodings of the WebAssembly binary format: LEB128 integers, floats, names, vectors. */

export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export function f32Bytes(value: number): number[] {
  return [...new Uint8Array(Float32Array.of(value).buffer)];
}

export function nameBytes(name: string): number[] {
  const utf8 = [...new TextEncoder().encode(name)];
  return [...unsignedLeb(utf8.length), ...utf8];
}

/** Concatenates byte arrays without spreading them (a module can be megabytes). */
export function concatBytes(parts: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const part of parts) for (let i = 0; i < part.length; i++) out.push(part[i]!);
  return out;
}

/** A vector: its length, then its items' bytes. */
export function vectorBytes(items: readonly number[][]): number[] {
  return concatBytes([unsignedLeb(items.length), ...items]);
}
