/** C literals that denote exactly the value the other targets compute with. */

/** A float32 literal: the value rounded to float32, printed with enough digits to round-trip. */
export function cFloat(value: number): string {
  const v = Math.fround(value);
  if (Number.isNaN(v)) return "NAN";
  if (v === Number.POSITIVE_INFINITY) return "INFINITY";
  if (v === Number.NEGATIVE_INFINITY) return "(-INFINITY)";
  if (Object.is(v, -0)) return "(-0.0f)";
  const text = v.toPrecision(9);
  return v < 0 ? `(${text}f)` : `${text}f`;
}

/** An int32 literal (INT32_MIN has no literal of its own in C). */
export function cInt(value: number): string {
  const v = value | 0;
  if (v === -2147483648) return "INT32_MIN";
  return v < 0 ? `(${v})` : String(v);
}
