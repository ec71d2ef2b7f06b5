// GPT-2's printable alphabet for bytes: byte-level BPE vocabularies spell every byte as one
// visible character (printable Latin-1 bytes as themselves, the rest as U+0100 onwards), so
// a space is "Ġ" and a newline "Ċ" in their token strings.
const byteToChar: string[] = [];
const charToByte = new Map<string, number>();
{
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || byte >= 0xae;
    const char = String.fromCodePoint(printable ? byte : next++);
    byteToChar.push(char);
    charToByte.set(char, byte);
  }
}

/** The vocabulary spelling of UTF-8 bytes. */
export function bytesToVocabularyText(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byteToChar[byte]!;
  return out;
}

/** The bytes a vocabulary string stands for; characters outside the alphabet are skipped. */
export function vocabularyTextToBytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const byte = charToByte.get(char);
    if (byte !== undefined) bytes.push(byte);
  }
  return bytes;
}
