#!/usr/bin/python3
"""Compares exported refiner models on the validation samples of a training data folder.

    /usr/bin/python3 tools/learned/validate.py --data out/train/DATA [--split hash] MODEL.onnx [MODEL.onnx ...]

Each model's weights are loaded into train.py's network (the same architecture), run on the held-out samples
(train.py's split) and scored like train.py's own validation: mean PSNR per preset and kernel kind over whole
frames, classical stage → refined, in the metric's domain. Needs Debian's python3-torch and python3-onnx.
"""
import argparse, os, sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", choices=["every10", "hash"], default="hash")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    items = train.load(a.data)
    samples = sorted({it["sample"] for it in items})
    val_ids = train.validation_ids(samples, a.split)
    val = [it for it in items if it["sample"] in val_ids]
    print(f"{len(val_ids)} validation samples of {len(samples)} ({a.split})", flush=True)
    results = []
    for path in a.models:
        model = train.Refiner(24)
        weights = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
        model.load_state_dict({k: torch.from_numpy(weights[k].copy()) for k in model.state_dict()})
        results.append(train.evaluate(model, val))
    keys = sorted(results[0])
    print("preset/kernel | frames | classical | " + " | ".join(os.path.basename(p) for p in a.models))
    for k in keys:
        base, _, n = results[0][k]
        print(f"{k} | {n} | {base:.2f} | " + " | ".join(f"{r[k][1]:.2f}" for r in results))
    for i, p in enumerate(a.models):
        print(f"{os.path.basename(p)}: mean over groups {np.mean([results[i][k][1] for k in keys]):.2f} dB (classical {np.mean([results[0][k][0] for k in keys]):.2f})")


if __name__ == "__main__":
    main()
