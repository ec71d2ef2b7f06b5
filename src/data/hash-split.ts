// A held-out split that depends only on each example's identifier and a seed, not on the
// order examples are loaded in: within each stratum (a class, a source group), examples
// are sorted by md5(seed + ":" + id) and the first round(n × testFraction) are tested.
// shared/data-splits.md defines the standard SpamAssassin split this way.
import { createHash } from "node:crypto";

export interface TrainTestIndices {
  train: number[];
  test: number[];
}

export function hashSplit(
  ids: readonly string[],
  strata: readonly (string | number)[],
  { seed = 0, testFraction = 0.2 }: { seed?: number; testFraction?: number } = {},
): TrainTestIndices {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new Error(`split: the test fraction must lie in (0, 1), got ${testFraction}`);
  }
  const byStratum = new Map<string | number, { index: number; key: string }[]>();
  ids.forEach((id, index) => {
    const list = byStratum.get(strata[index]!) ?? [];
    list.push({ index, key: createHash("md5").update(`${seed}:${id}`, "utf8").digest("hex") });
    byStratum.set(strata[index]!, list);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const list of byStratum.values()) {
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const nTest = Math.round(list.length * testFraction);
    list.forEach(({ index }, i) => {
      (i < nTest ? test : train).push(index);
    });
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
