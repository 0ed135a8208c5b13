#!/usr/bin/env bash
# End-to-end check of evaluation on a real Slurm engine (root only): starts a single-node cluster on 127.0.0.1
# (scripts/slurm-local.sh), simulates a small dataset, submits tools/slurm-eval.sbatch as a 0-based and as a
# 1-based array from a folder outside the repository with relative paths and an extra eval option (--methods),
# waits, merges each with `report`, and checks both merged tables equal an unsharded `eval` of the same dataset.
# Stops the cluster afterwards. Last line: "slurm-eval-test: OK" or "slurm-eval-test: FAILED: why".
#   scripts/slurm-eval-test.sh [WORK_DIR]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/eventdeblur-slurm.XXXXXX)}"
mkdir -p "$work"; work="$(cd "$work" && pwd)"
state="$work/cluster"

fail() { echo "slurm-eval-test: FAILED: $*"; exit 1; }

# One cluster at a time on this machine (fixed ports).
exec {lock_fd}>/tmp/eventdeblur-slurm-test.lock
flock "$lock_fd"
trap '"$repo/scripts/slurm-local.sh" stop "$state" || true' EXIT

eval "$("$repo/scripts/slurm-local.sh" start "$state")" || fail "the cluster did not start"
export SLURM_CONF
"$repo/eventdeblur" --version >/dev/null || fail "the CLI does not build"

# A small dataset: two scene kinds, two frames each, 160x120.
data="$work/data"
mkdir -p "$data"
"$repo/eventdeblur" simulate --preset night --seed 11 --frames 2 --rgb-size 160x120 --out "$data/night-11" >/dev/null
"$repo/eventdeblur" simulate --preset night-rotation --seed 12 --frames 2 --rgb-size 160x120 --out "$data/rotation-12" >/dev/null
methods="blurry,gt+robust,events+robust"

# Unsharded reference.
"$repo/eventdeblur" eval "$data" --out "$work/ref" --methods "$methods" >/dev/null || fail "unsharded eval failed"
"$repo/eventdeblur" report "$work/ref" > "$work/ref.txt" || fail "report of the unsharded eval failed"

submit() {  # $1: array spec, $2: output folder name
  local jobdir="$work/submit-$2"
  mkdir -p "$jobdir"
  ( cd "$jobdir" && sbatch --wait --quiet --array="$1" --cpus-per-task=1 --mem=1G -o "slurm-%A_%a.out" \
      "$repo/tools/slurm-eval.sbatch" ../data "../$2" --methods "$methods" ) \
    || { tail -n 30 "$jobdir"/slurm-*.out >&2 || true; fail "array $1 did not finish cleanly"; }
  "$repo/eventdeblur" report "$work/$2" > "$work/$2.txt" || fail "report of array $1 failed"
  diff <(sed "s#$work/$2#OUT#g" "$work/$2.txt") <(sed "s#$work/ref#OUT#g" "$work/ref.txt") >&2 \
    || fail "array $1: merged table differs from the unsharded one"
  local shards
  shards=$(find "$work/$2" -maxdepth 1 -name 'results-shard-*.parquet' | wc -l)
  [ "$shards" -eq "$3" ] || fail "array $1: $shards shard files, expected $3"
}
submit 0-2 sharded0 3
submit 1-2 sharded1 2

echo "slurm-eval-test: OK (arrays 0-2 and 1-2 equal the unsharded eval; $(grep -c . "$work/ref.txt") report lines)"
