#!/usr/bin/env bash
# Compares two run folders written by `eventdeblur replay`: frames/*.png and kernels/*.csv byte for
# byte, and the values of frames.parquet (all columns but the timings: seconds_*, latency_s,
# backlog_frames). Prints every difference; exit 0 when the runs are identical, 1 otherwise.
# Usage: scripts/compare-runs.sh RUN_A RUN_B
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 2 ] || { echo "usage: $0 RUN_A RUN_B" >&2; exit 2; }
a="$1"; b="$2"
differences=0
for dir in frames kernels; do
  names=$( (cd "$a/$dir" 2>/dev/null && ls; cd "$b/$dir" 2>/dev/null && ls) | sort -u)
  for n in $names; do
    if [ ! -f "$a/$dir/$n" ] || [ ! -f "$b/$dir/$n" ]; then
      echo "$dir/$n: only in one run"; differences=$((differences + 1))
    elif ! cmp -s "$a/$dir/$n" "$b/$dir/$n"; then
      echo "$dir/$n: bytes differ"; differences=$((differences + 1))
    fi
  done
  count=$(echo "$names" | grep -c . || true)
  echo "$dir: $count files compared"
done
tool="$here/artifacts/compare-runs/CompareRuns.dll"
if [ ! -f "$tool" ] || [ -n "$(find "$here/tools/compare-runs" -newer "$tool" -name '*.cs' -print -quit)" ]; then
  dotnet build "$here/tools/compare-runs/CompareRuns.csproj" -c Release -o "$here/artifacts/compare-runs" --nologo -v q -clp:ErrorsOnly >&2 || exit 2
fi
if dotnet "$tool" "$a/frames.parquet" "$b/frames.parquet"; then
  echo "frames.parquet: values identical (timings excluded)"
else
  echo "frames.parquet: values differ"; differences=$((differences + 1))
fi
if [ "$differences" -eq 0 ]; then echo "IDENTICAL"; exit 0; fi
echo "$differences difference(s)"; exit 1
