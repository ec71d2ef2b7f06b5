// The readable text of a raw email (RFC 5322 with MIME): the Subject and From headers
// (RFC 2047 encoded words decoded), then every text part of the body, decoded from
// base64 or quoted-printable in its charset, with HTML reduced to its text. Attachments
// and other headers are left out: routing headers say more about how a corpus was
// collected than about the message.

const HTML_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  trade: "™",
  euro: "€",
  eacute: "é",
  egrave: "è",
  agrave: "à",
  ccedil: "ç",
  uuml: "ü",
  ouml: "ö",
  auml: "ä",
  szlig: "ß",
  pound: "£",
  mdash: "—",
  ndash: "–",
  hellip: "…",
  laquo: "«",
  raquo: "»",
  bull: "•",
  middot: "·",
};

/** Decodes &name;, &#123; and &#x7b; references (unknown names are kept as written). */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const code =
        body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return HTML_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** The text of an HTML document: scripts, styles and comments dropped, tags become spaces. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<(br|p|div|tr|li|h[1-6])\b[^>]*>/gi, "\n")
    .replace(/<[^>]*>/g, " ");
  return decodeHtmlEntities(text);
}

function decodeQuotedPrintable(text: string): Uint8Array {
  const bytes: number[] = [];
  const source = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (source[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(source.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(source.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 128) {
      bytes.push(c);
    } else {
      // Already-decoded characters (the corpus stores text, not bytes): keep them as UTF-8.
      bytes.push(...new TextEncoder().encode(source[i]!));
    }
  }
  return Uint8Array.from(bytes);
}

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/[^A-Za-z0-9+/=]/g, ""), "base64"));
}

/** Charset names mail software wrote that the Encoding Standard knows by another name. */
const CHARSET_ALIASES: Record<string, string> = { chinesebig5: "big5", "x-gbk": "gbk", ascii: "us-ascii" };

/** Decodes bytes in a MIME charset, falling back to windows-1252 (which never fails). */
function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const name = (charset ?? "utf-8").toLowerCase().replace(/^"|"$/g, "");
  const label = CHARSET_ALIASES[name] ?? name;
  for (const candidate of [label, "utf-8"]) {
    try {
      return new TextDecoder(candidate, { fatal: true }).decode(bytes);
    } catch {
      // unknown label or invalid bytes: try the next
    }
  }
  return new TextDecoder("windows-1252").decode(bytes);
}

/** RFC 2047 encoded words (=?charset?B|Q?text?=) in a header value. */
export function decodeHeaderValue(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, encoding: string, data: string) => {
      const bytes =
        encoding.toUpperCase() === "B" ? decodeBase64(data) : decodeQuotedPrintable(data.replace(/_/g, " "));
      return decodeCharset(bytes, charset);
    });
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function parsePart(raw: string): Part {
  const normalized = raw.replace(/\r\n/g, "\n");
  const end = normalized.search(/\n\n/);
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const body = end < 0 ? "" : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  // Folded header lines continue with whitespace.
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** A parameter (boundary, charset) of a header value like `text/plain; charset="utf-8"`. */
function headerParameter(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, "i").exec(value);
  return match ? (match[2] ?? match[1]) : undefined;
}

function partText(part: Part, depth: number): string[] {
  const type = (part.headers.get("content-type") ?? "text/plain").toLowerCase();
  const boundary = headerParameter(part.headers.get("content-type"), "boundary");
  if (type.startsWith("multipart/") && boundary !== undefined && depth < 8) {
    const delimiter = `--${boundary}`;
    const pieces = part.body.split(delimiter).slice(1);
    const texts: string[] = [];
    for (const piece of pieces) {
      if (piece.startsWith("--")) break; // the closing delimiter
      texts.push(...partText(parsePart(piece.replace(/^[^\n]*\n/, "")), depth + 1));
    }
    return texts;
  }
  if (type.startsWith("message/rfc822") && depth < 8) return [emailToText(part.body, depth + 1)];
  const isHtml = type.startsWith("text/html");
  if (!type.startsWith("text/")) return [];
  const encoding = (part.headers.get("content-transfer-encoding") ?? "").toLowerCase();
  const charset = headerParameter(part.headers.get("content-type"), "charset");
  let text: string;
  if (encoding.includes("base64")) text = decodeCharset(decodeBase64(part.body), charset);
  else if (encoding.includes("quoted-printable"))
    text = decodeCharset(decodeQuotedPrintable(part.body), charset);
  else text = part.body;
  // Some messages are HTML without saying so.
  return [isHtml || /<html\b|<body\b|<table\b/i.test(text) ? htmlToText(text) : text];
}

/** Subject, From and the text of the body's text parts, one per paragraph, whitespace tidied. */
export function emailToText(raw: string, depth = 0): string {
  const message = parsePart(raw.replace(/^From [^\n]*\n/, ""));
  const lines: string[] = [];
  for (const name of ["subject", "from"]) {
    const value = message.headers.get(name);
    if (value !== undefined) lines.push(decodeHeaderValue(value));
  }
  lines.push(...partText(message, depth));
  return lines
    .join("\n")
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}
