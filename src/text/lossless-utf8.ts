// UTF-8 that also carries lone UTF-16 surrogates (the "WTF-8" generalisation), so any
// JavaScript string, even a malformed one, turns into bytes and back unchanged. A standard
// TextEncoder would replace a lone surrogate with U+FFFD and break the byte-level BPE
// round trip. Well-formed text gives exactly the same bytes as ordinary UTF-8.

const REPLACEMENT_CHARACTER = 0xfffd;

/** Encodes every code unit sequence of `text`, including lone surrogates, as bytes. */
export function encodeLosslessUtf8(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 0x3f);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      } else {
        // Three bytes also for a lone surrogate: the one place this differs from strict UTF-8.
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      }
    }
  }
  return out.slice(0, n);
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

// The allowed range of the second byte of a multi-byte sequence, which rules out overlong
// forms and code points past U+10FFFF (surrogates after 0xED are allowed on purpose).
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/**
 * Decodes bytes written by {@link encodeLosslessUtf8} back to the identical string. Bytes
 * that form no valid sequence (a model can emit any token order) become U+FFFD, one per
 * maximal invalid subpart, as the WHATWG decoder does.
 */
export function decodeLosslessUtf8(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  let n = 0;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      units[n++] = lead;
      i++;
      continue;
    }
    const length =
      lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
    if (length === 0) {
      units[n++] = REPLACEMENT_CHARACTER;
      i++;
      continue;
    }
    const [low, high] = secondByteRange(lead);
    let valid = 1;
    const second = bytes[i + 1];
    if (second !== undefined && second >= low && second <= high) {
      valid = 2;
      while (valid < length && isContinuation(bytes[i + valid])) valid++;
    }
    if (valid < length) {
      units[n++] = REPLACEMENT_CHARACTER;
      i += valid;
      continue;
    }
    let codePoint = lead & (0x7f >> length);
    for (let k = 1; k < length; k++) codePoint = (codePoint << 6) | (bytes[i + k]! & 0x3f);
    i += length;
    if (codePoint >= 0x10000) {
      codePoint -= 0x10000;
      units[n++] = 0xd800 + (codePoint >> 10);
      units[n++] = 0xdc00 + (codePoint & 0x3ff);
    } else {
      units[n++] = codePoint;
    }
  }
  let text = "";
  const chunk = 8192;
  for (let start = 0; start < n; start += chunk) {
    text += String.fromCharCode(...units.subarray(start, Math.min(n, start + chunk)));
  }
  return text;
}
