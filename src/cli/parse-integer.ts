import { InvalidArgumentError } from "commander";

/** A commander option parser for integers in [min, max], with the range in the error. */
export function integerInRange(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return value;
  };
}
