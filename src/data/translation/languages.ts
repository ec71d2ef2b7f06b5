// A small grammar per language: numbers written out by n2words, and the phrases around
// them (counted nouns, "I have …", dates, month and year). Nouns are ones whose
// grammatical gender does not change the number word in any of the languages (masculine
// in French and Spanish), so a number reads the same inside a phrase as on its own,
// except where the language itself shortens it (Spanish "uno" → "un" before a noun).
import { toCardinal as deCardinal, toOrdinal as deOrdinal } from "n2words/de-DE";
import { toCardinal as enCardinal, toOrdinal as enOrdinal } from "n2words/en-US";
import { toCardinal as esCardinal } from "n2words/es-ES";
import { toCardinal as frCardinal } from "n2words/fr-FR";

/** What a sentence says, independent of the language it is written in. */
export type Meaning =
  | { frame: "number"; n: number }
  | { frame: "count"; n: number; noun: number }
  | { frame: "have"; n: number; noun: number }
  | { frame: "date"; day: number; month: number }
  | { frame: "monthYear"; month: number; year: number };

export const FRAMES = ["number", "count", "have", "date", "monthYear"] as const;
export type Frame = (typeof FRAMES)[number];

/** The English plural nouns, in the order every language lists its own. */
export const NOUNS = ["books", "dogs", "cats", "days", "euros", "kilometres", "trees", "years"] as const;
export const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
] as const;
/** Days in each month (a year that is not a leap year). */
export const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

interface Grammar {
  cardinal(n: number): string;
  /** The number as it stands before a plural noun. */
  counted(n: number): string;
  nouns: readonly string[];
  months: readonly string[];
  have(amount: string): string;
  date(day: number, month: string): string;
  monthYear(month: string, year: string): string;
}

const english: Grammar = {
  cardinal: (n) => enCardinal(n),
  counted: (n) => enCardinal(n),
  nouns: NOUNS,
  months: MONTHS,
  have: (amount) => `I have ${amount}`,
  date: (day, month) => `on the ${enOrdinal(day)} of ${month}`,
  monthYear: (month, year) => `in ${month} ${year}`,
};

const french: Grammar = {
  cardinal: (n) => frCardinal(n),
  counted: (n) => frCardinal(n),
  nouns: ["livres", "chiens", "chats", "jours", "euros", "kilomètres", "arbres", "ans"],
  months: [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
  ],
  have: (amount) => `j'ai ${amount}`,
  date: (day, month) => `le ${day === 1 ? "premier" : frCardinal(day)} ${month}`,
  monthYear: (month, year) => `en ${month} ${year}`,
};

const german: Grammar = {
  cardinal: (n) => deCardinal(n),
  counted: (n) => deCardinal(n),
  nouns: ["Bücher", "Hunde", "Katzen", "Tage", "Euro", "Kilometer", "Bäume", "Jahre"],
  months: [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
  ],
  have: (amount) => `ich habe ${amount}`,
  // "am dritten Mai": the ordinal in the dative.
  date: (day, month) => `am ${deOrdinal(day)}n ${month}`,
  monthYear: (month, year) => `im ${month} ${year}`,
};

const spanish: Grammar = {
  cardinal: (n) => esCardinal(n),
  // Before a masculine noun "uno" is shortened: "veintiún libros", "treinta y un libros".
  counted: (n) =>
    esCardinal(n)
      .replace(/veintiuno$/, "veintiún")
      .replace(/\buno$/, "un"),
  nouns: ["libros", "perros", "gatos", "días", "euros", "kilómetros", "árboles", "años"],
  months: [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
  ],
  have: (amount) => `tengo ${amount}`,
  date: (day, month) => `el ${day === 1 ? "primero" : esCardinal(day)} de ${month}`,
  monthYear: (month, year) => `en ${month} de ${year}`,
};

const GRAMMARS: Record<string, Grammar> = { en: english, fr: french, de: german, es: spanish };

/** The languages the generator writes. */
export const LANGUAGES = Object.keys(GRAMMARS);

function grammarOf(language: string): Grammar {
  const grammar = GRAMMARS[language];
  if (!grammar) {
    throw new Error(`no grammar for language "${language}" (known: ${LANGUAGES.join(", ")})`);
  }
  return grammar;
}

/** Throws unless the generator knows `language`. */
export function checkLanguage(language: string): void {
  grammarOf(language);
}

/** The sentence that says `meaning` in `language`. */
export function render(meaning: Meaning, language: string): string {
  const g = grammarOf(language);
  switch (meaning.frame) {
    case "number":
      return g.cardinal(meaning.n);
    case "count":
      return `${g.counted(meaning.n)} ${g.nouns[meaning.noun]}`;
    case "have":
      return g.have(`${g.counted(meaning.n)} ${g.nouns[meaning.noun]}`);
    case "date":
      return g.date(meaning.day, g.months[meaning.month]!);
    case "monthYear":
      return g.monthYear(g.months[meaning.month]!, g.cardinal(meaning.year));
  }
}
