#!/usr/bin/python3
"""Peer comparison and independent metrics for EventDeblur (Debian: python3-skimage python3-png).

For every RGB frame of the given bundles it:
  * runs scikit-image's richardson_lucy (30 iterations, the bundle's ground-truth kernel, the same
    linear data the C# deconvolvers get) per channel and times it;
  * computes PSNR / SSIM per ../shared/METRICS.md with its own NumPy code (written apart from the
    C# implementation) for: the blurry input, scikit-image's result, and every EventDeblur replay
    output folder given with --run (OUT/frames/NNNNNN.png of `eventdeblur replay BUNDLE --out OUT`).

Usage: compare.py --bundle B [--bundle B2 ...] [--run LABEL=OUTROOT ...] [--json out.json]
OUTROOT holds one replay folder per bundle name (OUTROOT/<bundle-name>/frames/...).
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import png
from skimage.restoration import richardson_lucy


def read_png(path):
    w, h, rows, info = png.Reader(filename=path).asDirect()
    a = np.vstack([np.asarray(r, dtype=np.float64) for r in rows])
    planes = info['planes']
    return a.reshape(h, w, planes) if planes > 1 else a.reshape(h, w, 1)


def to_linear(raw, black, white):
    return (raw - black) / (white - black)


def srgb(c):
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.power(c, 1 / 2.4) - 0.055)


def gaussian_window():
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    return g


def filt_valid(x, g):
    # separable 'valid' filtering
    n = len(g)
    t = sum(g[k] * x[:, k:x.shape[1] - n + 1 + k] for k in range(n))
    return sum(g[k] * t[k:t.shape[0] - n + 1 + k, :] for k in range(n))


def metrics(est_lin, gt_lin, crop=16):
    a = srgb(est_lin)[crop:-crop, crop:-crop]
    b = srgb(gt_lin)[crop:-crop, crop:-crop]
    mse = np.mean((a - b) ** 2)
    p = 100.0 if mse == 0 else 10 * np.log10(1 / mse)
    if a.shape[2] == 3:
        w = np.array([0.2126, 0.7152, 0.0722])
        ya, yb = a @ w, b @ w
    else:
        ya, yb = a[..., 0], b[..., 0]
    g = gaussian_window()
    mx, my = filt_valid(ya, g), filt_valid(yb, g)
    vx = filt_valid(ya * ya, g) - mx * mx
    vy = filt_valid(yb * yb, g) - my * my
    cxy = filt_valid(ya * yb, g) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return p, float(s.mean())


def read_kernel(path):
    with open(path) as f:
        rows = [list(map(float, line.split(','))) for line in f if line.strip()]
    if len(rows) != 1:
        return None  # spatially varying: not a single-kernel frame
    size = int(rows[0][4])
    return np.array(rows[0][5:], dtype=np.float64).reshape(size, size)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bundle', action='append', required=True)
    ap.add_argument('--run', action='append', default=[])
    ap.add_argument('--json')
    args = ap.parse_args()
    runs = dict(r.split('=', 1) for r in args.run)
    rows = []
    for bundle in args.bundle:
        m = json.load(open(os.path.join(bundle, 'recording.json')))
        if 'rgb' not in m:
            continue
        rgb = m['rgb']
        black, white, sat = rgb.get('black_level', 0.0), rgb.get('white_level', 65535.0), rgb.get('saturation_level', 65535.0)
        name = os.path.basename(os.path.normpath(bundle))
        with open(os.path.join(bundle, rgb['frames'])) as f:
            frames = list(csv.DictReader(f))
        for fr in frames:
            idx = int(fr['index'])
            stem = f'{idx:06d}'
            k = read_kernel(os.path.join(bundle, 'gt', 'kernels', stem + '.csv'))
            if k is None:
                continue
            blurry = to_linear(read_png(os.path.join(bundle, 'rgb', fr['file'])), black, white)
            gt = to_linear(read_png(os.path.join(bundle, 'gt', fr['file'])), black, white)
            t0 = time.perf_counter()
            c0 = time.process_time()
            est = np.stack([richardson_lucy(np.clip(blurry[..., c], 0, None), k, num_iter=30) for c in range(blurry.shape[2])], axis=2)
            secs = time.perf_counter() - t0
            cpu = time.process_time() - c0
            row = {'bundle': name, 'index': idx, 'megapixels': blurry.shape[0] * blurry.shape[1] / 1e6,
                   'skimage_rl_seconds': secs, 'skimage_rl_cpu_seconds': cpu}
            row['blurry_psnr'], row['blurry_ssim'] = metrics(blurry, gt)
            row['skimage_rl_psnr'], row['skimage_rl_ssim'] = metrics(est, gt)
            for label, root in runs.items():
                out = os.path.join(root, name, 'frames', stem + '.png')
                if os.path.exists(out):
                    row[label + '_psnr'], row[label + '_ssim'] = metrics(to_linear(read_png(out), black, white), gt)
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        json.dump(rows, open(args.json, 'w'), indent=1)


if __name__ == '__main__':
    sys.exit(main())
