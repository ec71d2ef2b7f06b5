/**
 * How a failed command tells the user: one line on stderr, in the same form as
 * commander's own errors. The stack is for developers and only shown when
 * INFINISET_DEBUG=1, since to a user it hides the one line that matters.
 */
export function reportError(error: unknown, write: (text: string) => void = (t) => process.stderr.write(t)) {
  const message = error instanceof Error ? error.message : String(error);
  write(`infiniset: error: ${firstLine(message)}\n`);
  if (process.env.INFINISET_DEBUG === "1" && error instanceof Error && error.stack) {
    write(`${error.stack}\n`);
  }
}

function firstLine(message: string): string {
  const line = message.split("\n", 1)[0]!.trim();
  return line === "" ? "unknown error" : line;
}
