#!/usr/bin/env bash
# The wasm pass of `npm test`: every test whose results depend on the default target, run
# again with wasm as the default (the first pass uses native where a C compiler works).
# Left out: tests that run every target themselves (isa: reference and differential
# tests, gradients on ref; targets: each test picks its targets) and tests of areas that
# compute nothing on a target (data, metrics, random, quant's codecs, the layer and export
# checks; the browser, whose page always runs wasm). A new test folder runs here unless it is added to SKIP.
set -euo pipefail
SKIP=" isa targets data metrics random quant fixtures helpers browser "
paths=()
for entry in dist/test/*; do
  name=$(basename "$entry")
  if [ -d "$entry" ]; then
    [[ "$SKIP" == *" $name "* ]] || paths+=("$entry/")
  elif [[ "$name" == *.test.js && "$name" != layers.test.js && "$name" != package-exports.test.js ]]; then
    paths+=("$entry")
  fi
done
INFINISET_TARGET=wasm exec node --test --test-reporter=spec "${paths[@]}"
