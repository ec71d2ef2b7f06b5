// text-file.ts in a browser, which has no file paths.

export function readTextFile(path: string): string {
  throw new Error(`cannot read ${path}: a browser has no file paths (pass the text itself)`);
}
