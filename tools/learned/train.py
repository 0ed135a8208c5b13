#!/usr/bin/python3
"""Trains the refiner of EventDeblur's learned deconvolver and exports it to ONNX.

The learned deconvolver is a classical deconvolution (`hl` for the v1 model, `robust` for v2) followed by a
small U-Net that removes what the hand-made prior leaves behind (holes and trails next to clipped lights,
ringing from kernel errors, residual noise). It works per channel, so RGB and gray APS frames share one model.

Network input, [N, 4, H, W] float32, all in the metric's domain (METRICS.md: linear, clipped to [0, 1],
then the sRGB curve):
  0  srgb(clip(classical deconvolution))      1  srgb(clip(blurry frame))
  2  saturation mask of the blurry frame (1 = clipped)
  3  noise level: 100 * sigma in normalised linear units — a constant map of the frame's sigma (v1), or the
     per-pixel sigma of the frame's Poisson-Gaussian noise model (v2: data written with 5 planes per channel)
Output, [N, 1, H, W]: the refined channel in the same domain (values >= 1 mean "clipped light": the
C# side then keeps the classical HDR value there). The exported model carries ONNX metadata
eventdeblur.base (hl | robust) and eventdeblur.noise (constant | map), which the C# side follows.

    /usr/bin/python3 tools/learned/train.py --data DIR --out models/hl-refiner.onnx [--minutes 40] [--seed 1]

DIR is written by tools/learned/EventDeblur.Training (see tools/learned/train.sh, the one command).
"""
import argparse, csv, json, math, os, random, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BORDER = 16  # METRICS.md crops 16 px; the refiner is neither trained nor judged there


def srgb(c):
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.power(c, 1 / 2.4) - 0.055).astype(np.float32)


class Refiner(nn.Module):
    """A 3-level U-Net (full, 1/2, 1/4 resolution), ReLU, additive skips; ~0.1 M parameters."""

    def __init__(self, c=24):
        super().__init__()
        conv = lambda i, o, s=1: nn.Conv2d(i, o, 3, stride=s, padding=1)
        self.e0 = nn.Sequential(conv(4, c), nn.ReLU(), conv(c, c), nn.ReLU())
        self.e1 = nn.Sequential(conv(c, 2 * c, 2), nn.ReLU(), conv(2 * c, 2 * c), nn.ReLU())
        self.e2 = nn.Sequential(conv(2 * c, 3 * c, 2), nn.ReLU(), conv(3 * c, 3 * c), nn.ReLU(), conv(3 * c, 3 * c), nn.ReLU())
        self.u1 = nn.ConvTranspose2d(3 * c, 2 * c, 2, stride=2)
        self.d1 = nn.Sequential(conv(2 * c, 2 * c), nn.ReLU())
        self.u0 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.d0 = nn.Sequential(conv(c, c), nn.ReLU(), nn.Conv2d(c, 1, 3, padding=1))

    def forward(self, x):
        h0 = self.e0(x)
        h1 = self.e1(h0)
        h2 = self.e2(h1)
        y1 = self.d1(self.u1(h2) + h1)
        y0 = self.d0(self.u0(y1) + h0)
        return x[:, 0:1] + y0


def load(data):
    """Per sample and channel: the 4 network input planes and the ground truth, metric domain."""
    items = []
    for r in csv.DictReader(open(os.path.join(data, "samples.csv"))):
        a = np.load(os.path.join(data, r["sample"] + ".npy"))  # [C, 4|5, H, W]: blurry, classical, mask, gt[, sigma map]
        sigmas = [float(s) for s in r["sigmas"].split(";")]
        for c in range(a.shape[0]):
            noise = 100 * a[c, 4].astype(np.float32) if a.shape[1] == 5 else np.full(a.shape[2:], 100 * sigmas[c], np.float32)
            x = np.stack([srgb(a[c, 1]), srgb(a[c, 0]), a[c, 2].astype(np.float32), noise])
            items.append(dict(sample=r["sample"], preset=r["preset"], kernel=r["kernel"], channel=c, x=x, y=srgb(a[c, 3])))
    return items


def patches(items, n, size, rng):
    xs, ys = [], []
    for _ in range(n):
        it = items[rng.randrange(len(items))]
        _, h, w = it["x"].shape
        y0 = rng.randrange(BORDER, h - BORDER - size + 1)
        x0 = rng.randrange(BORDER, w - BORDER - size + 1)
        x = it["x"][:, y0:y0 + size, x0:x0 + size]
        y = it["y"][None, y0:y0 + size, x0:x0 + size]
        k = rng.randrange(4)
        x, y = np.rot90(x, k, (1, 2)), np.rot90(y, k, (1, 2))
        if rng.random() < 0.5:
            x, y = x[:, :, ::-1], y[:, :, ::-1]
        xs.append(np.ascontiguousarray(x))
        ys.append(np.ascontiguousarray(y))
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))


def loss_fn(pred, y, light_weight=1.0):
    """L1 in the metric's domain; pixels at full scale in the truth (clipped lights) count light_weight times."""
    err = (pred.clamp(0, 1) - y).abs()
    if light_weight != 1.0:
        err = err * torch.where(y >= 0.999, torch.full_like(y, light_weight), torch.ones_like(y))
    return err.mean()


def evaluate(model, items):
    """Mean PSNR per preset over whole validation frames (all channels of a sample together), hl vs refined."""
    model.eval()
    per = {}
    with torch.no_grad():
        by_sample = {}
        for it in items:
            by_sample.setdefault(it["sample"], []).append(it)
        for s, chans in by_sample.items():
            se_hl = se_ref = n = 0.0
            for it in chans:
                x = torch.from_numpy(it["x"][None])
                _, _, h, w = x.shape
                ph, pw = (-h) % 4, (-w) % 4
                xp = F.pad(x, (0, pw, 0, ph), mode="replicate")
                p = model(xp)[0, 0, :h, :w].clamp(0, 1).numpy()
                crop = (slice(BORDER, -BORDER), slice(BORDER, -BORDER))
                se_hl += float(((np.clip(it["x"][0], 0, 1) - it["y"])[crop] ** 2).sum())
                se_ref += float(((p - it["y"])[crop] ** 2).sum())
                n += it["y"][crop].size
            key = (chans[0]["preset"], chans[0]["kernel"])
            per.setdefault(key, []).append((10 * math.log10(n / se_hl), 10 * math.log10(n / se_ref)))
    model.train()
    return {f"{k[0]}/{k[1]}": (float(np.mean([a for a, _ in v])), float(np.mean([b for _, b in v])), len(v)) for k, v in sorted(per.items())}


def validation_ids(samples, split):
    """The held-out samples (names are zero-padded indices)."""
    if split == "hash":
        # About one sample in ten, chosen by a hash of its index, so that every domain and preset (the generator
        # interleaves them by index) is represented in validation.
        return {s for s in samples if ((int(s) * 2654435761) % 2**32 >> 16) % 10 == 0}
    return set(samples[::10])  # every 10th sample (the v1/v2 runs; with --domain-b-share 0.5 domain A only)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--patch", type=int, default=96)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--channels", type=int, default=24)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--light-weight", type=float, default=1.0, help="weight of the L1 loss on pixels at full scale in the truth (clipped lights)")
    ap.add_argument("--base", choices=["hl", "robust"], default="hl", help="the classical deconvolution the data were made with")
    ap.add_argument("--split", choices=["every10", "hash"], default="every10", help="which samples are held out for validation")
    ap.add_argument("--init", help="start from the weights of this exported model (same architecture) instead of random ones")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    items = load(a.data)
    samples = sorted({it["sample"] for it in items})
    val_ids = validation_ids(samples, a.split)
    train = [it for it in items if it["sample"] not in val_ids]
    val = [it for it in items if it["sample"] in val_ids]
    print(f"{len(samples)} samples ({len(train)} train / {len(val)} validation channel planes)", flush=True)

    model = Refiner(a.channels)
    if a.init:
        import onnx
        from onnx import numpy_helper
        weights = {i.name: numpy_helper.to_array(i) for i in onnx.load(a.init).graph.initializer}
        state = model.state_dict()
        bad = [k for k, v in state.items() if k not in weights or tuple(weights[k].shape) != tuple(v.shape)]
        if bad:
            sys.exit(f"--init {a.init}: not this architecture (missing or differently shaped: {', '.join(bad[:3])})")
        model.load_state_dict({k: torch.from_numpy(weights[k].copy()) for k in state})
        print(f"started from the weights of {a.init}", flush=True)
    print(f"{sum(p.numel() for p in model.parameters())} parameters", flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    budget = a.minutes * 60
    t0 = time.time()
    step = 0
    log = []
    while True:
        elapsed = time.time() - t0
        if elapsed >= budget:
            break
        # Cosine learning-rate decay over the time budget.
        for g in opt.param_groups:
            g["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))
        x, y = patches(train, a.batch, a.patch, rng)
        loss = loss_fn(model(x), y, a.light_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            print(f"step {step}, {elapsed / 60:.1f} min, loss {loss.item():.5f}, lr {opt.param_groups[0]['lr']:.2e}", flush=True)
    res = evaluate(model, val)
    for k, (hl, ref, n) in res.items():
        print(f"validation {k}: {a.base} {hl:.2f} dB -> learned {ref:.2f} dB ({ref - hl:+.2f}, {n} frames)", flush=True)
    noise = "map" if np.load(os.path.join(a.data, samples[0] + ".npy"), mmap_mode="r").shape[1] == 5 else "constant"
    export(model, a.out, dict(steps=step, init=a.init, split=a.split, minutes=(time.time() - t0) / 60, seed=a.seed, channels=a.channels,
                              batch=a.batch, patch=a.patch, lr=a.lr, light_weight=a.light_weight, base=a.base, noise=noise, validation=res))


def export(model, out, meta):
    model.eval()
    dummy = torch.zeros(1, 4, 64, 64)
    tmp = out + ".tmp"
    torch.onnx.export(model, dummy, tmp, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}, "output": {0: "n", 2: "h", 3: "w"}})
    if meta.get("base", "hl") != "hl" or meta.get("noise", "constant") != "constant":
        # What the C# side must feed the network: its classical first stage and the kind of noise plane.
        import onnx
        m = onnx.load(tmp)
        for k in ("base", "noise"):
            p = m.metadata_props.add()
            p.key, p.value = "eventdeblur." + k, meta[k]
        onnx.save(m, tmp)
    os.replace(tmp, out)
    # A fixed input and the PyTorch output for it: the C# test runs the ONNX model on the same input.
    g = np.arange(64, dtype=np.float32)
    yy, xx = np.meshgrid(g, g, indexing="ij")
    ref_in = np.stack([
        0.1 + 0.05 * np.sin(xx / 5) * np.cos(yy / 7) + 0.8 * np.exp(-((xx - 40) ** 2 + (yy - 20) ** 2) / 8),
        0.1 + 0.04 * np.sin(xx / 9) + 0.7 * np.exp(-((xx - 38) ** 2 + (yy - 22) ** 2) / 30),
        (np.exp(-((xx - 38) ** 2 + (yy - 22) ** 2) / 30) > 0.6).astype(np.float32),
        np.full((64, 64), 0.2, np.float32)]).astype(np.float32)[None]
    with torch.no_grad():
        ref_out = model(torch.from_numpy(ref_in)).numpy().astype(np.float32)
    base = os.path.splitext(out)[0]
    ref_in.tofile(base + ".reference-input.f32")
    ref_out.tofile(base + ".reference-output.f32")
    with open(base + ".training.json", "w") as f:
        json.dump(meta, f, indent=2)
    print(f"exported {out} ({os.path.getsize(out)} bytes)", flush=True)


if __name__ == "__main__":
    main()
