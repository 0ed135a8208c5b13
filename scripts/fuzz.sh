#!/usr/bin/env bash
# Fuzzes every reader (AEDAT 2.0, 3.1, 4.0, the bundle manifest + frames.csv, Prophesee EVT 2.0 / EVT 3.0 /
# DAT, and the DV network-stream client over loopback TCP) with AFL++ through
# SharpFuzz, for SECONDS in total (default 600) split evenly among the targets.
#
#   scripts/fuzz.sh [SECONDS]
#   FUZZ_TARGETS="evt2 dvstream" scripts/fuzz.sh [SECONDS]   (only these targets, the budget split among them)
#
# Seeds: small files made by our own writer (fuzz/EventDeblur.Fuzz `seeds`) plus the first 32 KiB of
# each real recording in ../shared/recordings/real (copied at run time, never committed). Every run
# starts from the seeds, so a CI run is reproducible in what it covers first. Prints one line per
# target (executions, edges found / map size, corpus paths, crashes, hangs) and exits 1 when a crash
# or a real hang (an input still running after 10 s when replayed) was found; the inputs are kept
# under artifacts/fuzz/findings/TARGET/default/{crashes,hangs}/ and replayed with their stack trace.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
budget="${1:-600}"
all_targets="aedat2 aedat31 aedat4 bundle evt2 evt3 dat dvstream h5"
read -r -a targets <<<"${FUZZ_TARGETS:-$all_targets}"
for t in "${targets[@]}"; do
  [[ " $all_targets " == *" $t "* ]] || { echo "fuzz: unknown target '$t' in FUZZ_TARGETS; expected some of: $all_targets" >&2; exit 2; }
done
per=$(( budget / ${#targets[@]} ))
[ "$per" -lt 10 ] && per=10
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
source "$here/scripts/setup-native.sh"

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "fuzz: installing afl++..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 afl++ >&2 \
      || { apt-get update -qq -o DPkg::Lock::Timeout=300 >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 afl++ >&2; }
  fi
  command -v afl-fuzz >/dev/null 2>&1 || { echo "fuzz: afl-fuzz not found; run: sudo apt-get install -y afl++" >&2; exit 2; }
fi

work="$here/artifacts/fuzz"
bin="$work/bin"
rm -rf "$work"
mkdir -p "$work/findings"
(cd "$here/fuzz" && dotnet tool restore >/dev/null) || { echo "fuzz: dotnet tool restore (SharpFuzz.CommandLine) failed" >&2; exit 2; }
plain="$work/bin-plain"
dotnet build "$here/fuzz/EventDeblur.Fuzz/EventDeblur.Fuzz.csproj" -c Release --nologo -v q -o "$plain" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; echo "fuzz: build failed" >&2; exit 2; }
cp -r "$plain" "$bin"
harness=(dotnet "$bin/EventDeblur.Fuzz.dll")
# Replays run the uninstrumented copy: instrumented code needs afl's shared memory.
replay=(dotnet "$plain/EventDeblur.Fuzz.dll")
"${replay[@]}" seeds "$work/seeds" || { echo "fuzz: writing seeds failed" >&2; exit 2; }
real="$here/../shared/recordings/real"
declare -A realdir=([aedat2]=aedat2 [aedat31]=aedat3.1 [aedat4]=aedat4 [evt2]=prophesee/evt2 [evt3]=prophesee/evt3 [dat]=prophesee/dat)
for t in "${!realdir[@]}"; do
  for f in "$real/${realdir[$t]}"/*; do
    [ -f "$f" ] && head -c 32768 "$f" >"$work/seeds/$t/real-$(basename "$f")"
  done
done
# The DV stream layout is a DV file's without its 14-byte version line.
for f in "$real/aedat4"/*; do
  [ -f "$f" ] && head -c $((32768 + 14)) "$f" | tail -c +15 >"$work/seeds/dvstream/real-$(basename "$f").stream"
done
# Only our library is instrumented: coverage is the readers' branches, not the runtime's.
(cd "$here/fuzz" && dotnet sharpfuzz "$bin/EventDeblur.dll" >"$work/instrument.log" 2>&1) \
  || { cat "$work/instrument.log" >&2; echo "fuzz: SharpFuzz instrumentation failed" >&2; exit 2; }

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
       AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1
total_execs=0; total_crashes=0; total_hangs=0; failed=0
for t in "${targets[@]}"; do
  out="$work/findings/$t"
  timeout $((per + 90)) afl-fuzz -i "$work/seeds/$t" -o "$out" -t 5000 -m none -V "$per" -- "${harness[@]}" "$t" \
    >"$work/afl-$t.log" 2>&1
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    tail -20 "$work/afl-$t.log" >&2
    echo "fuzz: $t: afl-fuzz did not start (log: $work/afl-$t.log)"
    failed=1
    continue
  fi
  stat() { sed -n "s/^$1 *: *//p" "$stats" | head -1; }
  execs=$(stat execs_done); edges=$(stat edges_found); map=$(stat total_edges); paths=$(stat corpus_count)
  crashes=$(find "$out/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
  hangs=0
  for h in "$out"/default/hangs/id:*; do
    [ -f "$h" ] || continue
    # A timeout under afl on a busy machine is only a hang when the input is still slow on its own.
    timeout 10 "${replay[@]}" "$t" --replay "$h" >/dev/null 2>&1
    [ $? -eq 124 ] && hangs=$((hangs + 1))
  done
  echo "fuzz: $t: ${execs:-0} executions, ${edges:-0} edges (map ${map:-?}), ${paths:-0} corpus paths, $crashes crashes, $hangs hangs (${per} s)"
  if [ "$crashes" -gt 0 ]; then
    "${replay[@]}" "$t" --replay "$out"/default/crashes/id:* | head -40
    failed=1
  fi
  [ "$hangs" -gt 0 ] && failed=1
  total_execs=$((total_execs + ${execs:-0})); total_crashes=$((total_crashes + crashes)); total_hangs=$((total_hangs + hangs))
done
echo "fuzz: total ${total_execs} executions, ${total_crashes} crashes, ${total_hangs} hangs in ${budget} s"
exit "$failed"
