#!/usr/bin/env bash
# Runs every test of the solution and ends with one line: "N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
source "$here/scripts/setup-native.sh"
source "$here/scripts/setup-test-deps.sh"
results="$here/artifacts/test-results"
rm -rf "$results"
dotnet test EventDeblur.sln -c Release --nologo --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@"
rc=$?
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited with $rc (build or runner failure)"; fi
[ "$skipped" -gt 0 ] && echo "${skipped} test(s) skipped (see the log above for why)"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
