import { InvalidArgumentError } from "commander";

/** A commander option parser for finite numbers in [min, max] (1e-3 and 0.001 both work). */
export function numberInRange(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
    }
    return value;
  };
}
