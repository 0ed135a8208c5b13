#!/usr/bin/env bash
# Trains the learned deconvolver's refiner from scratch, in one command, and exports it to models/:
#   1. training pairs from the project's own simulator (tools/learned/EventDeblur.Training): blurry frame,
#      its classical deconvolution (robust for v2, hl for v1; true, perturbed or event-estimated kernels),
#      saturation mask, ground truth and (v2) the per-pixel noise σ;
#   2. tools/learned/train.py: a small U-Net, fixed seed, a wall-clock budget, exported to ONNX (with the
#      metadata saying which classical stage and noise plane it expects) and a reference input/output pair
#      for the C# tests.
# Usage: tools/learned/train.sh [MINUTES] [SAMPLES] [OUT_MODEL]
#   defaults (the shipped v3 model): 60 minutes of training started from the v2 model's weights, 600 samples (half
#   domain A, half domain B with its gray b-aps frames, seeds 300000 and up; ≈ 20 min to generate on the 2-core machine, as the model card says), one sample in ten
#   held out by a hash of its index, models/robust-refiner-v3.onnx — about 80 minutes on a 2-core machine.
#   The opt-in v4 model (v3's weights trained 65 minutes more at a starting learning rate of 5e-4):
#     INIT=models/robust-refiner-v3.onnx LR=5e-4 tools/learned/train.sh 65 600 models/robust-refiner-v4.onnx
#   The v5 model (v4's weights, 25 more minutes at 2e-4 with clipped lights weighted 4× in the loss, training seed 2):
#     INIT=models/robust-refiner-v4.onnx LR=2e-4 LIGHT_WEIGHT=4 TRAIN_SEED=2 tools/learned/train.sh 25 600 models/robust-refiner-v5.onnx
#   The v2 model (from scratch, no b-aps, every 10th sample held out):
#     KINDS=4 SPLIT=every10 INIT= tools/learned/train.sh 25 600 models/robust-refiner-v2.onnx
#   The v1 model: BASE=hl SHARE=0 SEED=100000 KINDS=4 SPLIT=every10 INIT= tools/learned/train.sh 30 720 models/hl-refiner-v1.onnx.
#   Needs Debian's python3-torch, python3-onnx and python3-numpy under /usr/bin/python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
minutes="${1:-60}"
samples="${2:-600}"
model="${3:-models/robust-refiner-v3.onnx}"
base="${BASE:-robust}"
share="${SHARE:-0.5}"
seed="${SEED:-300000}"
kinds="${KINDS:-5}"
split="${SPLIT:-hash}"
init="${INIT-models/robust-refiner-v2.onnx}"
lr="${LR:-1e-3}"
light_weight="${LIGHT_WEIGHT:-1}"
train_seed="${TRAIN_SEED:-1}"
data="out/train/data-${base}-${share}-${seed}-${samples}-k${kinds}"

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
  dotnet artifacts/training/EventDeblur.Training.dll --out "$data" --samples "$samples" --seed "$seed" --base "$base" --domain-b-share "$share" --domain-b-kinds "$kinds"
fi
mkdir -p "$(dirname "$model")"
/usr/bin/python3 tools/learned/train.py --data "$data" --out "$model" --minutes "$minutes" --seed "$train_seed" --lr "$lr" --light-weight "$light_weight" --base "$base" --split "$split" ${init:+--init "$init"} | tee "${model%.onnx}.training.log"
