#!/usr/bin/env bash
# Whole-process AEDAT 4.0 LZ4 decode: `eventdeblur inspect --json` (decode + count + canonical SHA-256) and
# `inspect --json --no-hash` (decode + checks + count, as the peer does no hashing) against aestream's C++ file reader
# (issue 12), on one large generated file read from the page cache.
#
# Usage: tools/bench-aedat4-peer.sh [PEER] [RUNS]
#   PEER        the peer executable (default: $AESTREAM_READ, else /work/peer/aestream_read); when it is
#               missing and $AESTREAM_SRC names an aestream checkout, it is built there from aestream's
#               own src/cpp/file/aedat4.hpp (g++ -O3, C++20, flatc, liblz4; aestream's Release flags) with
#               the small driver below, which reads every event as aestream's file input does and counts them.
#   RUNS        runs per program, interleaved (default 5); the table gives medians.
# Environment:
#   AEDAT4_FILE     the input (default artifacts/bench/events-20M.aedat4, generated once: 20 M events,
#                   DAVIS346-shaped, LZ4, DV-sized packets of 10 000 events)
#   BEFORE_CLI      optional: another build's EventDeblur.Cli.dll (e.g. main's) to time beside this one
# Needs /usr/bin/time (GNU time). Prints a Markdown table: median wall, median CPU (user + sys),
# median peak RSS, and wall ratio to the peer (> 1: faster than the peer).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peer="${1:-${AESTREAM_READ:-/work/peer/aestream_read}}"
runs="${2:-5}"
file="${AEDAT4_FILE:-$here/artifacts/bench/events-20M.aedat4}"

[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

if [ ! -x "$peer" ]; then
  src="${AESTREAM_SRC:-}"
  [ -n "$src" ] && [ -f "$src/src/cpp/file/aedat4.hpp" ] || {
    echo "no peer at '$peer'; set AESTREAM_SRC to an aestream checkout (github.com/aestream/aestream) to build it" >&2; exit 2; }
  echo "building the peer from $src into $peer (needs g++, flatc, liblz4-dev, libflatbuffers-dev)" >&2
  build="$(mktemp -d)"
  flatc --cpp -o "$build" "$src"/src/cpp/file/flatbuffers/*.fbs
  cat > "$build/aestream_read.cpp" <<'CPP'
// Drives aestream's own AEDAT 4.0 reader (file/aedat4.hpp) as its file input does: read_events()
// loads every event of the file; the counts keep the work from being optimised away.
#include "file/aedat4.hpp"
#include <cstdio>
int main(int argc, char **argv) {
  if (argc != 2) { std::fprintf(stderr, "usage: %s FILE.aedat4\n", argv[0]); return 2; }
  AEDAT4 file(argv[1]);
  auto [events, n] = file.read_events();
  size_t on = 0;
  for (size_t i = 0; i < n; i++) on += events[i].polarity;
  std::printf("{\"events\": %zu, \"on\": %zu}\n", n, on);
  return 0;
}
CPP
  mkdir -p "$(dirname "$peer")"
  g++ -std=c++20 -O3 -DNDEBUG -I "$src/src/cpp" -I "$src/src/cpp/file" -I "$src/include" -I "$build" \
      "$build/aestream_read.cpp" -llz4 -o "$peer"
fi

source "$here/scripts/setup-native.sh" >/dev/null 2>&1 || true
# The CLI as users run it: ./eventdeblur's ReadyToRun build (made or refreshed here).
"$here/eventdeblur" --version >/dev/null
cli="$here/artifacts/cli/EventDeblur.Cli.dll"
if [ ! -f "$file" ]; then
  mkdir -p "$(dirname "$file")"
  dotnet build "$here/tools/EventDeblur.Benchmarks" -c Release --nologo -v q -clp:ErrorsOnly >&2
  dotnet "$here/tools/EventDeblur.Benchmarks/bin/Release/net10.0/linux-x64/EventDeblur.Benchmarks.dll" generate "$file" 20000000 >&2
fi
cat "$file" > /dev/null   # into the page cache

# The programs must agree on what they read before their times mean anything.
peer_out="$("$peer" "$file")"
ours_out="$(dotnet "$cli" inspect --json "$file")"
peer_n="$(sed -n 's/.*"events": \([0-9]*\).*/\1/p' <<<"$peer_out")"
peer_on="$(sed -n 's/.*"on": \([0-9]*\).*/\1/p' <<<"$peer_out")"
ours_n="$(python3 -c 'import json,sys; e=json.load(sys.stdin)["events"]; print(e["count"], e["positive"])' <<<"$ours_out")"
[ "$ours_n" = "$peer_n $peer_on" ] || { echo "event counts differ: peer $peer_n events ($peer_on ON), ours $ours_n" >&2; exit 1; }

names=("peer: aestream C++ reader (read_events, all in memory)" "EventDeblur inspect --json (this build)" "EventDeblur inspect --json --no-hash (this build: decode, check, count)")
cmds=("$peer $file" "dotnet $cli inspect --json $file" "dotnet $cli inspect --json --no-hash $file")
if [ -n "${BEFORE_CLI:-}" ]; then
  names+=("EventDeblur inspect --json (BEFORE_CLI)" "EventDeblur inspect --json --no-hash (BEFORE_CLI)")
  cmds+=("dotnet $BEFORE_CLI inspect --json $file" "dotnet $BEFORE_CLI inspect --json --no-hash $file")
fi
out="$(mktemp)"
for ((r = 0; r < runs + 1; r++)); do   # round 0 is a warm-up, not counted
  for i in "${!cmds[@]}"; do
    /usr/bin/time -f "$r $i %e %U %S %M" -a -o "$out" ${cmds[$i]} > /dev/null
  done
done

echo "file: $file ($(du -m "$file" | cut -f1) MB, $peer_n events), $runs runs each, interleaved; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "${names[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("Command")]
names = sys.argv[2:]
stats = []
for i, name in enumerate(names):
    rs = [r for r in rows if int(r[1]) == i and int(r[0]) > 0]
    wall = statistics.median(float(r[2]) for r in rs)
    cpu = statistics.median(float(r[3]) + float(r[4]) for r in rs)
    rss = statistics.median(int(r[5]) for r in rs) / 1024
    stats.append((name, wall, min(float(r[2]) for r in rs), cpu, rss))
peer_wall = stats[0][1]
print("| program | wall, median (best) | CPU user+sys, median | peak RSS | speed vs peer (wall) |")
print("|---|---:|---:|---:|---:|")
for name, wall, best, cpu, rss in stats:
    print(f"| {name} | {wall:.2f} s ({best:.2f}) | {cpu:.2f} s | {rss:.0f} MiB | {peer_wall / wall:.2f}× |")
PY
rm -f "$out"
