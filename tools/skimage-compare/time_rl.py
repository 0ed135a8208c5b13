#!/usr/bin/python3
"""Times scikit-image's richardson_lucy (30 iterations, per channel) on frame 0 of a bundle: the
peer figure for tools/bench-deconvolution.sh. Prints seconds per frame and per megapixel, wall clock and
process CPU time (the CPU figure is the one to compare on a machine shared with other work)."""
import sys
import time

import numpy as np
from compare import read_png, to_linear, read_kernel
import json
import os

bundle = sys.argv[1]
m = json.load(open(os.path.join(bundle, 'recording.json')))
rgb = m['rgb']
img = to_linear(read_png(os.path.join(bundle, 'rgb', '000000.png')), rgb['black_level'], rgb['white_level'])
k = read_kernel(os.path.join(bundle, 'gt', 'kernels', '000000.csv'))
from skimage.restoration import richardson_lucy
times = []
cpus = []
for _ in range(5):
    t0 = time.perf_counter()
    c0 = time.process_time()
    for c in range(img.shape[2]):
        richardson_lucy(np.clip(img[..., c], 0, None), k, num_iter=30)
    times.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
mp = img.shape[0] * img.shape[1] / 1e6
best = float(np.median(times))
cpu = float(np.median(cpus))
print(f'scikit-image richardson_lucy x30: {best:.3f} s per frame ({mp:.3f} MP) = {best / mp:.2f} s/MP wall, '
      f'{cpu:.3f} CPU-s = {cpu / mp:.2f} CPU-s/MP (medians of 5)')
