#!/usr/bin/env bash
# Regenerates the simulator benchmark set and replays it with every method; prints the summary tables.
# Usage: tools/eval-benchmark.sh [OUT]   (default out/bench-eval; takes ~20 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/bench-eval}"
./eventdeblur simulate --set recordings/benchmark-set.csv --out out/bench
for b in out/bench/*/; do
  name=$(basename "$b")
  for cfg in "events hl" "gt hl" "gt rl" "gt wiener" "streak hl"; do
    set -- $cfg
    dir="$out/$1-$2/$name"
    [ -f "$dir/frames.parquet" ] && continue
    ./eventdeblur replay "$b" --out "$dir" --kernels "$1" --deconvolver "$2" > /dev/null || echo "replay $name $cfg failed"
  done
done
for m in "$out"/*/; do ./eventdeblur report "$m"; done
