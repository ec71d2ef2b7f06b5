/**
 * Merges adjacent axes that every view walks contiguously (stride[i] = stride[i+1]·size[i+1])
 * and drops size-1 axes, so kernels loop over as few axes as possible and the innermost
 * loop is as long as possible.
 */
export function coalesceAxes(
  shape: readonly number[],
  strideSets: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const keep = [...shape.keys()].filter((i) => shape[i] !== 1);
  const outShape: number[] = [];
  const outStrides: number[][] = strideSets.map(() => []);
  for (const i of keep) {
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strideSets.every((s, k) => outStrides[k]![last] === s[i]! * shape[i]!);
    if (mergeable) {
      outShape[last]! *= shape[i]!;
      strideSets.forEach((s, k) => {
        outStrides[k]![last] = s[i]!;
      });
    } else {
      outShape.push(shape[i]!);
      strideSets.forEach((s, k) => {
        outStrides[k]!.push(s[i]!);
      });
    }
  }
  return { shape: outShape, strides: outStrides };
}
