/** An error raised by an instruction's rules; the message always starts with the instruction's name. */
export class InstructionError extends Error {
  override name = "InstructionError";
  constructor(
    readonly instruction: string,
    message: string,
  ) {
    super(`${instruction}: ${message}`);
  }
}
