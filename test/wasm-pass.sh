#!/usr/bin/env bash
# The wasm pass of `npm test`: every test whose results depend on the default target, run
# again with wasm as the default (the first pass uses native where a C compiler works).
# Left out: tests that run every target themselves (isa: reference and differential
# tests, gradients on ref; targets: each test picks its targets) and tests of areas that
# compute nothing on a target (data, metrics, random, quant's codecs, text's tokenizers,
# formats' readers and writers, the n-gram and HMM models — these pass with INFINISET_TARGET
# set to a target that does not exist — the layer and export checks; the browser, whose page
# always runs wasm). A new test folder runs here unless it is added to SKIP. Two files run at
# once, as in the default pass (node's default is cores − 1: one on a 2-core CI machine).
set -euo pipefail
SKIP=" isa targets data metrics random quant fixtures helpers browser text formats "
SKIP_MODELS=" ngram hmm "
paths=()
for entry in dist/test/*; do
  name=$(basename "$entry")
  if [ "$name" = models ]; then
    for model in "$entry"/*; do
      [[ "$SKIP_MODELS" == *" $(basename "$model") "* ]] || paths+=("$model")
    done
  elif [ -d "$entry" ]; then
    [[ "$SKIP" == *" $name "* ]] || paths+=("$entry/")
  elif [[ "$name" == *.test.js && "$name" != layers.test.js && "$name" != package-exports.test.js ]]; then
    paths+=("$entry")
  fi
done
concurrency=$(node -p "Math.max(2, os.availableParallelism() - 1)")
INFINISET_TARGET=wasm exec node --test --test-concurrency="$concurrency" --test-reporter=spec "${paths[@]}"
