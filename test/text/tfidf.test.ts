// TF-IDF against scikit-learn's TfidfVectorizer (test/classify/fixtures/make_sklearn_fixtures.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { concatColumns, selectRows, type TfidfOptions, TfidfVectorizer } from "../../src/text/tfidf.js";

const fixtures = JSON.parse(
  readFileSync(new URL("../../../test/classify/fixtures/sklearn.json", import.meta.url), "utf8"),
);

interface SklearnMatrix {
  terms: string[];
  idf: number[];
  indptr: number[];
  indices: number[];
  values: number[];
}

/** Each row as term → value, so column order does not matter. */
function rowsByTerm(
  terms: readonly string[],
  indptr: ArrayLike<number>,
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
) {
  const rows: Map<string, number>[] = [];
  for (let r = 0; r + 1 < indptr.length; r++) {
    const row = new Map<string, number>();
    for (let i = indptr[r]!; i < indptr[r + 1]!; i++) row.set(terms[indices[i]!]!, values[i]!);
    rows.push(row);
  }
  return rows;
}

describe(`TF-IDF against scikit-learn ${fixtures.sklearn}`, () => {
  for (const [name, c] of Object.entries(fixtures.tfidf) as [
    string,
    { options: Record<string, unknown>; test: SklearnMatrix },
  ][]) {
    it(`${name}: same vocabulary, idf and test rows`, () => {
      const o = c.options;
      const options: TfidfOptions = {
        analyzer: o.analyzer as "word" | "char_wb",
        ngramRange: o.ngram_range as [number, number],
        minDf: (o.min_df as number | undefined) ?? 1,
        sublinearTf: (o.sublinear_tf as boolean | undefined) ?? false,
      };
      const v = new TfidfVectorizer(options).fit(fixtures.train);
      const json = v.toJSON();
      assert.deepEqual([...json.terms].sort(), [...c.test.terms].sort());
      const idf = new Map(c.test.terms.map((t, i) => [t, c.test.idf[i]!]));
      json.terms.forEach((t, i) => {
        assert.ok(Math.abs(json.idf[i]! - idf.get(t)!) < 1e-12, `idf of "${t}"`);
      });
      const m = v.transform(fixtures.test);
      const ours = rowsByTerm(json.terms, m.indptr, m.indices, m.values);
      const theirs = rowsByTerm(c.test.terms, c.test.indptr, c.test.indices, c.test.values);
      assert.equal(ours.length, theirs.length);
      ours.forEach((row, r) => {
        assert.deepEqual([...row.keys()].sort(), [...theirs[r]!.keys()].sort(), `terms of test text ${r}`);
        for (const [t, value] of row)
          assert.ok(Math.abs(value - theirs[r]!.get(t)!) < 1e-6, `"${t}" in text ${r}`);
      });
      // fitTransform gives what fit then transform gives
      const direct = new TfidfVectorizer(options).fitTransform(fixtures.train);
      const again = v.transform(fixtures.train);
      assert.deepEqual(direct.indices, again.indices);
      assert.deepEqual(direct.values, again.values);
      // and a vectorizer restored from JSON transforms alike
      assert.deepEqual(TfidfVectorizer.fromJSON(json).transform(fixtures.test).values, m.values);
    });
  }

  it("explains a vocabulary that would be empty and bad n-gram ranges", () => {
    assert.throws(
      () => new TfidfVectorizer({ analyzer: "word", ngramRange: [1, 1], minDf: 3 }).fit(["aa bb", "cc dd"]),
      /no term occurs in 3 or more of the 2 training texts/,
    );
    assert.throws(() => new TfidfVectorizer({ analyzer: "word", ngramRange: [2, 1] }), /ngramRange/);
  });

  it("selects rows and puts blocks of columns side by side", () => {
    const v = new TfidfVectorizer({ analyzer: "word", ngramRange: [1, 1] }).fit(["aa bb", "bb cc"]);
    const m = v.transform(["aa bb", "bb cc", "cc"]);
    const picked = selectRows(m, [2, 0]);
    assert.equal(picked.rows, 2);
    assert.deepEqual(Array.from(picked.indices), [2, 0, 1]);
    const both = concatColumns(picked, picked);
    assert.equal(both.columns, 6);
    assert.deepEqual(Array.from(both.indices), [2, 5, 0, 1, 3, 4]);
  });
});
