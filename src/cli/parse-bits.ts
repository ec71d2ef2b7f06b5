import { InvalidArgumentError } from "commander";

/** A commander option parser for the integer widths compression offers: 8 or 4 bits. */
export function parseBits(value: string): 8 | 4 {
  if (value !== "8" && value !== "4") throw new InvalidArgumentError("expected 8 or 4.");
  return Number(value) as 8 | 4;
}
