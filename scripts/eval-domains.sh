#!/usr/bin/env bash
# Regenerates both simulation domains' TEST sets and evaluates them and ../shared/foreign/ (issue 11's tables in
# the README, "Results on data we did not make"). Resumable: rerun it and finished frames are kept.
#
#   scripts/eval-domains.sh [ROOT] [METHODS...]
#
# ROOT (default /work/evaldata) receives a-test/, b-test/ (bundles) and eval-a/, eval-b/, eval-foreign/ (eval
# folders), with one log per invocation (eval-X/METHODS.log: progress and the do-no-harm guard's `guard:` lines).
# METHODS default to the priority order: "blurry,events+robust,gt+rl" "events+learned" "gt+robust". After all
# of them, one eval with every method rewrites each folder's results-shard-1-of-1.parquet from the finished runs
# (nothing is recomputed), and `report` prints the summary per scene kind into eval-X/report.md.
# EVENTDEBLUR (default: ./eventdeblur) is the command to run, e.g. "dotnet /path/to/a/frozen/EventDeblur.Cli.dll".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
root="${1:-/work/evaldata}"; shift || true
methods=("$@"); [ ${#methods[@]} -eq 0 ] && methods=("blurry,events+robust,gt+rl" "events+learned" "gt+robust")
ed=(${EVENTDEBLUR:-./eventdeblur})
mkdir -p "$root"
for d in a b; do
  [ -d "$root/$d-test" ] || nice "${ed[@]}" simulate --set "recordings/domain-$d-test.csv" --out "$root/$d-test"
done
declare -A data=([a]="$root/a-test" [b]="$root/b-test" [foreign]="$here/../shared/foreign")
for m in "${methods[@]}"; do
  for d in a b foreign; do
    mkdir -p "$root/eval-$d"
    echo "eval $d $m" >&2
    # stdout and stderr in one log, in order: a bundle's `guard:` lines come before its "BUNDLE METHOD: k/n frames ok" line.
    nice "${ed[@]}" eval "${data[$d]}" --out "$root/eval-$d" --methods "$m" >>"$root/eval-$d/${m//,/_}.log" 2>&1 || echo "eval $d $m: exit $?" >&2
  done
done
all=$(IFS=,; echo "${methods[*]}")
for d in a b foreign; do
  nice "${ed[@]}" eval "${data[$d]}" --out "$root/eval-$d" --methods "$all" >>"$root/eval-$d/all.log" 2>&1
  "${ed[@]}" report "$root/eval-$d" > "$root/eval-$d/report.md"
done
