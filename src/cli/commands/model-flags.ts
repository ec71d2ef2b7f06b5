// One command serves several kinds of model (`train gpt|rnn|lstm|gru|ngram`, `generate`
// and `eval` with a checkpoint or an ARPA file), and some flags mean something to one kind
// only. Passing such a flag to another kind is an error that says so, not a silent no-op.
import type { Command } from "commander";

/** Throws if the command line set an option (by its attribute name) outside `allowed`. */
export function rejectFlags(command: Command, allowed: readonly string[], kind: string): void {
  for (const option of command.options) {
    const key = option.attributeName();
    if (allowed.includes(key) || command.getOptionValueSource(key) !== "cli") continue;
    throw new Error(`${option.long} does not apply to ${kind} models`);
  }
}
