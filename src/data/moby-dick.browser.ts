// moby-dick.ts in a browser: the package's chapters are files a page cannot require;
// a bundler can import them as text (the playground bundles a few chapters).

export interface MobyDickChapter {
  chapter: string;
  title: string;
  text: string;
}

export function loadMobyDickChapters(): MobyDickChapter[] {
  throw new Error(
    "Moby Dick is read from its npm package under Node; in a browser, import its chapters as text",
  );
}

export function loadMobyDick(): string {
  return loadMobyDickChapters().join("");
}
