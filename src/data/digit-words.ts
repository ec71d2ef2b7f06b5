// The names of the ten digits, which both the spoken digits and the MNIST digit generator use
// as their words.

/** The name of each digit, index = digit. */
export const DIGIT_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
] as const;
