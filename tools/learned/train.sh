#!/usr/bin/env bash
# Trains the learned deconvolver's refiner from scratch, in one command, and exports it to models/:
#   1. training pairs from the project's own simulator (tools/learned/EventDeblur.Training): blurry frame,
#      its hl deconvolution (true or perturbed kernel), saturation mask, ground truth;
#   2. tools/learned/train.py: a small U-Net, fixed seed, a wall-clock budget, exported to ONNX with a
#      reference input/output pair for the C# tests.
# Usage: tools/learned/train.sh [MINUTES] [SAMPLES] [OUT_MODEL]
#   defaults: 40 minutes of training, 720 samples (≈ 17 min to generate), models/hl-refiner-v1.onnx
#   — about an hour on a 2-core machine. Needs Debian's python3-torch, python3-onnx and python3-numpy
#   under /usr/bin/python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
minutes="${1:-40}"
samples="${2:-720}"
model="${3:-models/hl-refiner-v1.onnx}"
data="out/train/data-${samples}"

if ! /usr/bin/python3 -c 'import torch, onnx, numpy' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends python3-torch python3-onnx python3-numpy
  else
    echo "train.sh: needs 'sudo apt-get install -y --no-install-recommends python3-torch python3-onnx python3-numpy'" >&2
    exit 2
  fi
fi

dotnet build tools/learned/EventDeblur.Training -c Release -o artifacts/training --nologo -v q -clp:ErrorsOnly
if [ ! -f "$data/samples.csv" ]; then
  dotnet artifacts/training/EventDeblur.Training.dll --out "$data" --samples "$samples" --seed 100000
fi
mkdir -p "$(dirname "$model")"
/usr/bin/python3 tools/learned/train.py --data "$data" --out "$model" --minutes "$minutes" --seed 1 | tee "${model%.onnx}.training.log"
