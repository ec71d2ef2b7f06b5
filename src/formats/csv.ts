// CSV as RFC 4180 writes it: comma-separated fields, fields in double quotes may hold
// commas, newlines and doubled quotes. Line ends may be \n or \r\n.

/** Parses CSV text into rows of fields; `what` names the file in errors. */
export function parseCsv(text: string, what = "CSV"): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fieldStarted = false;
  const endField = () => {
    row.push(field);
    field = "";
    fieldStarted = false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && !fieldStarted) {
      const start = line;
      i++;
      for (;;) {
        if (i >= text.length)
          throw new Error(`${what}: a quoted field opened on line ${start} is never closed`);
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\n") line++;
        field += c;
        i++;
      }
      fieldStarted = true;
      continue;
    }
    if (ch === ",") {
      endField();
      i++;
      continue;
    }
    if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
      endField();
      rows.push(row);
      row = [];
      i += ch === "\r" ? 2 : 1;
      line++;
      continue;
    }
    field += ch;
    fieldStarted = true;
    i++;
  }
  if (fieldStarted || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}
