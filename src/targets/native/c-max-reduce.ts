/**
 * A float32 max reduction in C that vectorises: the prelude's f_max (JavaScript's Math.max:
 * NaN wins, +0 beats −0) is a chain of compares and blends the compiler will not keep in a
 * vector accumulator, so a max over a row ran at a tenth of a sum's speed. Here each lane
 * keeps a plain "larger of the two" (one compare and one blend), and two flags beside it:
 * whether a NaN was seen, and whether a +0 was. `maxResult` applies the rules once at the
 * end: NaN if any element was NaN, +0 if the largest value is a zero and some zero was +0.
 * The value does not depend on the order of the elements, so neither on the tiling.
 *
 * Names: the accumulator `a`, flags `a_nan` and `a_pz`, with a suffix per accumulator.
 */

/** The vector types (GCC/Clang vector extensions) of `lanes` float32 and int32 elements. */
export function vectorTypes(lanes: number): string {
  return [
    `typedef float vf __attribute__((vector_size(${lanes * 4})));`,
    `typedef int32_t vi __attribute__((vector_size(${lanes * 4})));`,
  ].join("\n");
}

/** Declarations of a scalar accumulator `name` (starting at −∞) and its flags. */
export function declareScalarMax(name: string): string[] {
  return [`float ${name} = -INFINITY;`, `int ${name}_nan = 0, ${name}_pz = 0;`];
}

/** Declarations of a vector accumulator `name` (−∞ in every lane) and its flags. */
export function declareVectorMax(name: string, lanes: number): string[] {
  return [
    `vf ${name};`,
    `for (int l = 0; l < ${lanes}; l++) ${name}[l] = -INFINITY;`,
    `vi ${name}_nan = {0}, ${name}_pz = {0};`,
  ];
}

/** Statements adding the float `value` to the scalar accumulator `name`. */
export function scalarMaxStep(name: string, value: string): string[] {
  return [
    `{ const float v = ${value};`,
    `  ${name} = v > ${name} ? v : ${name};`,
    `  ${name}_nan |= v != v;`,
    `  ${name}_pz |= f_bits(v) == 0u; }`,
  ];
}

/** Statements adding the vector `value` (a vf expression) to the vector accumulator `name`. */
export function vectorMaxStep(name: string, value: string): string[] {
  return [
    `{ const vf v = ${value};`,
    `  const vi larger = v > ${name};`,
    `  ${name} = (vf)((larger & (vi)v) | (~larger & (vi)${name}));`,
    `  ${name}_nan |= v != v;`,
    `  ${name}_pz |= (vi)v == 0; }`,
  ];
}

/** Statements folding lane `l` of the vector accumulator `from` into the scalar accumulator `into`. */
export function foldLane(into: string, from: string, l: string): string[] {
  return [
    `${into} = ${from}[${l}] > ${into} ? ${from}[${l}] : ${into};`,
    `${into}_nan |= ${from}_nan[${l}] != 0;`,
    `${into}_pz |= ${from}_pz[${l}] != 0;`,
  ];
}

/** The reduced value of the scalar accumulator `name`, with the NaN and zero rules applied. */
export function maxResult(name: string): string {
  return `(${name}_nan ? NAN : ${name} == 0.0f && ${name}_pz ? 0.0f : ${name})`;
}

/** The reduced values of a vector accumulator, lane `l`. */
export function vectorMaxResult(name: string, l: string): string {
  return `(${name}_nan[${l}] ? NAN : ${name}[${l}] == 0.0f && ${name}_pz[${l}] ? 0.0f : ${name}[${l}])`;
}

/** A vf from `lanes` float expressions of `l` (the compiler turns this into one vector load when it can). */
export function gatherVector(lanes: number, value: (l: string) => string, name = "v_in"): string[] {
  return [
    `float ${name}_s[${lanes}] __attribute__((aligned(${lanes * 4})));`,
    `for (int l = 0; l < ${lanes}; l++) ${name}_s[l] = ${value("l")};`,
    `vf ${name}; memcpy(&${name}, ${name}_s, sizeof ${name});`,
  ];
}
