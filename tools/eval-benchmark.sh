#!/usr/bin/env bash
# Regenerates the simulator benchmark set and replays it with every method; prints the summary tables.
# Usage: tools/eval-benchmark.sh [OUT]   (default out/bench-eval; takes ~35 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/bench-eval}"
./eventdeblur simulate --set recordings/benchmark-set.csv --out out/bench
# Run a frozen copy of the CLI so that rebuilding the sources meanwhile cannot change it mid-run.
cli=$(mktemp -d)
cp -r artifacts/cli/. "$cli/"
run() { dotnet "$cli/EventDeblur.Cli.dll" "$@"; }
for b in out/bench/*/; do
  name=$(basename "$b")
  for cfg in "events hl" "gt hl" "gt rl" "gt wiener" "streak hl" "events learned" "gt learned"; do
    set -- $cfg
    dir="$out/$1-$2/$name"
    [ -f "$dir/frames.parquet" ] && continue
    run replay "$b" --out "$dir" --kernels "$1" --deconvolver "$2" > /dev/null || echo "replay $name $cfg failed"
  done
done
run report "$out"
