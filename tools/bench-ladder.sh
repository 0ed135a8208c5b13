#!/usr/bin/env bash
# The quality ladder against its peer in one session (issue 12): every rung of `robust` and `learned`, our `rl`, `hl`
# and `wiener`, and scikit-image's richardson_lucy (30 iterations per channel), all with the bundles' ground-truth
# kernels, on two sets of RGB bundles with one kernel per frame. Prints a Markdown table (mean PSNR dB (SSIM) / wall
# s/MP (process CPU s/MP), ratio to the peer's wall time) and writes the points and the plot.
#
# Usage: tools/bench-ladder.sh OUT SET_A_NAME "BUNDLE..." SET_B_NAME "BUNDLE..."
#   e.g. tools/bench-ladder.sh artifacts/ladder "domain A test" "eval/a-test/night-7101 eval/a-test/night-hard-7201" \
#            "foreign hard-2006" "../shared/foreign/hard-2006"
# Writes OUT/points.csv (set,method,rung,psnr,seconds_per_mp), OUT/table.md and OUT/quality-ladder.svg.
# Needs /usr/bin/python3 with python3-skimage and python3-png (Debian). Our figures: the benchmark project's
# `deconv --frames 6` (both cores; the first frame of each call includes the JIT). The peer: compare.py (one core, as
# scikit-image runs; its PSNR / SSIM come from its own NumPy code).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 5 ] || { sed -n 2,13p "$0" >&2; exit 2; }
out="$1"; names=("$2" "$4"); sets=("$3" "$5")
mkdir -p "$out"
source "$here/scripts/setup-native.sh" >/dev/null 2>&1 || true
dotnet build "$here/tools/EventDeblur.Benchmarks" -c Release --nologo -v q -clp:ErrorsOnly >&2
bench="$here/tools/EventDeblur.Benchmarks/bin/Release/net10.0/linux-x64/EventDeblur.Benchmarks.dll"

rungs=("robust fast" "robust balanced" "robust best" "learned fast" "learned balanced" "learned best" "rl balanced" "hl balanced" "wiener balanced")
echo "set,method,rung,psnr,ssim,seconds_per_mp,cpu_seconds_per_mp" > "$out/raw.csv"
for s in 0 1; do
  # The peer first: per frame PSNR / SSIM / wall / CPU, then its means.
  args=(); for b in ${sets[$s]}; do args+=(--bundle "$b"); done
  /usr/bin/python3 "$here/tools/skimage-compare/compare.py" "${args[@]}" --json "$out/peer-$s.json" > /dev/null
  /usr/bin/python3 - "$out/peer-$s.json" "${names[$s]}" >> "$out/raw.csv" <<'PY'
import csv, json, sys
rows = json.load(open(sys.argv[1]))
mp = sum(r['megapixels'] for r in rows)
n = len(rows)
w = csv.writer(sys.stdout, lineterminator='\n')
w.writerow([sys.argv[2], 'peer', '', f"{sum(r['skimage_rl_psnr'] for r in rows)/n:.4f}", f"{sum(r['skimage_rl_ssim'] for r in rows)/n:.4f}",
            f"{sum(r['skimage_rl_seconds'] for r in rows)/mp:.4f}", f"{sum(r['skimage_rl_cpu_seconds'] for r in rows)/mp:.4f}"])
w.writerow([sys.argv[2], 'blurry', '', f"{sum(r['blurry_psnr'] for r in rows)/n:.4f}", f"{sum(r['blurry_ssim'] for r in rows)/n:.4f}", 0, 0])
PY
  for r in "${rungs[@]}"; do
    set -- $r
    log="$out/deconv-$s-$1-$2.txt"
    dotnet "$bench" deconv --deconvolver "$1" --quality "$2" --frames 6 ${sets[$s]} > "$log" 2>&1
    # Per frame: "... D PSNR dB (SSIM S), gain ...; wall W s = X s/MP, CPU C s = Y CPU-s/MP; ..." and a MEAN line.
    /usr/bin/python3 - "$log" "${names[$s]}" "$1" "$2" >> "$out/raw.csv" <<'PY'
import csv, re, sys
psnr, ssim = [], []
mean = None
for line in open(sys.argv[1]):
    m = re.search(r', \w+ ([0-9.]+) dB \(SSIM ([0-9.]+)\), gain', line)
    if m: psnr.append(float(m.group(1))); ssim.append(float(m.group(2)))
    m = re.search(r'MEAN over .* wall ([0-9.]+) s/MP, CPU ([0-9.]+) CPU-s/MP', line)
    if m: mean = (float(m.group(1)), float(m.group(2)))
if not psnr or mean is None: sys.exit(f"no figures in {sys.argv[1]}")
csv.writer(sys.stdout, lineterminator='\n').writerow([sys.argv[2], sys.argv[3], sys.argv[4], f"{sum(psnr)/len(psnr):.4f}", f"{sum(ssim)/len(ssim):.4f}", f"{mean[0]:.4f}", f"{mean[1]:.4f}"])
PY
  done
done

/usr/bin/python3 - "$out/raw.csv" "$out/points.csv" "$out/table.md" "${names[0]}" "${names[1]}" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
names = sys.argv[4:6]
get = {(r['set'], r['method'], r['rung']): r for r in rows}
order = [('peer', '')] + [(m, q) for m in ('rl', 'robust', 'learned') for q in (('fast', 'balanced', 'best') if m in ('robust', 'learned') else ('balanced',))] + [('hl', 'balanced'), ('wiener', 'balanced')]
label = {('peer', ''): "peer: scikit-image `richardson_lucy`, 30 iterations per channel", ('rl', 'balanced'): "`rl` (30 iterations, saturation-aware)",
         ('hl', 'balanced'): '`hl`', ('wiener', 'balanced'): '`wiener`', ('learned', 'balanced'): '**`learned`, `balanced` (default)**'}
with open(sys.argv[3], 'w') as t:
    t.write(f"| ground-truth kernels | {names[0]} (blurry {float(get[(names[0], 'blurry', '')]['psnr']):.2f}) | ratio to peer, wall | "
            f"{names[1]} (blurry {float(get[(names[1], 'blurry', '')]['psnr']):.2f}) | ratio to peer, wall |\n|---|---:|---:|---:|---:|\n")
    for m, q in order:
        cells = []
        for n in names:
            r, p = get[(n, m, q)], get[(n, 'peer', '')]
            cells.append(f"{float(r['psnr']):.2f} ({float(r['ssim']):.3f}) / {float(r['seconds_per_mp']):.2f} ({float(r['cpu_seconds_per_mp']):.2f})")
            cells.append(f"{float(p['seconds_per_mp']) / float(r['seconds_per_mp']):.1f}×")
        t.write(f"| {label.get((m, q), f'`{m}`, `{q}`')} | " + ' | '.join(cells) + ' |\n')
with open(sys.argv[2], 'w') as pts:
    w = csv.writer(pts)
    w.writerow(['set', 'method', 'rung', 'psnr', 'seconds_per_mp'])
    for n in names:
        for m, q in order:
            r = get[(n, m, q)]
            w.writerow([n, {'peer': 'scikit-image RL'}.get(m, m), q if m in ('robust', 'learned') else '', r['psnr'], r['seconds_per_mp']])
PY
/usr/bin/python3 "$here/tools/plot-ladder.py" "$out/points.csv" "$out/quality-ladder.svg"
cat "$out/table.md"
