#!/usr/bin/env bash
# Deconvolution speed: EventDeblur's deconvolvers (BenchmarkDotNet) and scikit-image's richardson_lucy
# on the same simulated 640x480 frame, in one session. Needs python3-skimage python3-png.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project tools/EventDeblur.Benchmarks -- --filter '*Deconvolution*'
(cd tools/skimage-compare && /usr/bin/python3 time_rl.py ../../artifacts/bench/deconv-night-640)
