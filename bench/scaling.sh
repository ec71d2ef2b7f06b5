#!/usr/bin/env bash
# The scaling table: GEMM, GEMV and GPT training steps at 1, 2, 4, 8 and 16 threads (those up to
# the machine's core count), infiniset's native target beside PyTorch on as many threads, each
# thread count in runs of its own. Prints a Markdown table; the raw records stay in a JSON-lines
# file.
#
#   bench/scaling.sh                      every count up to the cores, baby and small presets
#   THREADS="1 2" bench/scaling.sh        chosen counts
#   PRESETS=baby bench/scaling.sh         only the baby preset (small takes minutes per count)
#   OUT=results.jsonl bench/scaling.sh    where the records go (default: a file under /tmp)
#
# Needs the peers (bench/setup.sh --torch) and a built tree (npm run build); it builds the bench.
set -euo pipefail
cd "$(dirname "$0")/.."

cores=$(node -p "require('node:os').availableParallelism()")
threads=${THREADS:-$(for t in 1 2 4 8 16; do [ "$t" -le "$cores" ] && printf '%s ' "$t"; done)}
presets=${PRESETS:-baby small}
out=${OUT:-$(mktemp /tmp/infiniset-scaling.XXXXXX.jsonl)}
: >"$out"

npx tsc -p . && npx tsc -p bench
echo "scaling: threads $threads; presets $presets; $(uptime)" >&2
for t in $threads; do
  echo "== $t thread(s): gemm" >&2
  node bench/dist/run.js gemm --json --threads "$t" --only-threads --impls infiniset,pytorch \
    --sizes 1024,2048,1x4096x4096 >>"$out"
  for preset in $presets; do
    echo "== $t thread(s): train-gpt --preset $preset" >&2
    node bench/dist/run.js train-gpt --json --threads "$t" --only-threads --preset "$preset" \
      --impls infiniset,pytorch --targets native >>"$out"
  done
done
echo "load after the run: $(uptime)" >&2
node bench/dist/scaling-table.js "$out"
echo "records: $out" >&2
