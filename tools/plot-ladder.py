#!/usr/bin/python3
"""Quality-vs-speed plot of the deconvolvers' quality ladder (issue 12), as a self-contained SVG.

Usage: tools/plot-ladder.py POINTS.csv OUT.svg
POINTS.csv columns: set,method,rung,psnr,seconds_per_mp  (one row per point; rows of one set and method are joined
by a line in file order; 'rung' labels the point, e.g. fast / balanced / best, or empty). One panel per set, the
x axis is seconds per megapixel (log scale), the y axis mean PSNR in dB (METRICS.md). No dependencies beyond Python.
"""
import csv
import math
import sys
from collections import OrderedDict

COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf']


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows = list(csv.DictReader(open(sys.argv[1])))
    sets = OrderedDict()
    for r in rows:
        sets.setdefault(r['set'], OrderedDict()).setdefault(r['method'], []).append(
            (float(r['seconds_per_mp']), float(r['psnr']), r.get('rung', '')))
    methods = list(OrderedDict((r['method'], None) for r in rows))
    colour = {m: COLOURS[i % len(COLOURS)] for i, m in enumerate(methods)}
    pw, ph, ml, mr, mt, mb = 420, 300, 60, 30, 40, 50
    width = len(sets) * (pw + ml + mr)
    height = ph + mt + mb + 24 * ((len(methods) + 2) // 3)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    xs = [p[0] for s in sets.values() for pts in s.values() for p in pts]
    lo, hi = math.floor(math.log10(min(xs)) * 2) / 2, math.ceil(math.log10(max(xs)) * 2) / 2
    for si, (name, series) in enumerate(sets.items()):
        ox = si * (pw + ml + mr) + ml
        ys = [p[1] for pts in series.values() for p in pts]
        ylo, yhi = math.floor(min(ys)) - 0.5, math.ceil(max(ys)) + 0.5

        def X(v):
            return ox + (math.log10(v) - lo) / (hi - lo) * pw

        def Y(v):
            return mt + ph - (v - ylo) / (yhi - ylo) * ph

        out.append(f'<text x="{ox + pw / 2}" y="{mt - 14}" text-anchor="middle" font-weight="bold">{name}</text>')
        out.append(f'<rect x="{ox}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
        for e in range(int(math.floor(lo)), int(math.ceil(hi)) + 1):
            for m in (1, 2, 5):
                v = m * 10 ** e
                if lo <= math.log10(v) <= hi:
                    out.append(f'<line x1="{X(v):.1f}" y1="{mt}" x2="{X(v):.1f}" y2="{mt + ph}" stroke="#ddd"/>')
                    out.append(f'<text x="{X(v):.1f}" y="{mt + ph + 16}" text-anchor="middle">{v:g}</text>')
        step = 1 if yhi - ylo <= 12 else 2
        for v in range(int(math.ceil(ylo)), int(math.floor(yhi)) + 1, step):
            out.append(f'<line x1="{ox}" y1="{Y(v):.1f}" x2="{ox + pw}" y2="{Y(v):.1f}" stroke="#eee"/>')
            out.append(f'<text x="{ox - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v}</text>')
        out.append(f'<text x="{ox + pw / 2}" y="{mt + ph + 36}" text-anchor="middle">seconds per megapixel (log scale)</text>')
        out.append(f'<text transform="translate({ox - 40},{mt + ph / 2}) rotate(-90)" text-anchor="middle">PSNR, dB</text>')
        for method, pts in series.items():
            c = colour[method]
            if len(pts) > 1:
                out.append('<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>'.format(
                    c, ' '.join(f'{X(x):.1f},{Y(y):.1f}' for x, y, _ in pts)))
            for x, y, rung in pts:
                out.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="4" fill="{c}"/>')
                if rung:
                    out.append(f'<text x="{X(x) + 6:.1f}" y="{Y(y) - 6:.1f}" fill="{c}">{rung}</text>')
    for i, m in enumerate(methods):
        x = ml + (i % 3) * 220
        y = mt + ph + mb + 14 + 24 * (i // 3)
        out.append(f'<circle cx="{x}" cy="{y - 4}" r="5" fill="{colour[m]}"/><text x="{x + 10}" y="{y}">{m}</text>')
    out.append('</svg>')
    open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
