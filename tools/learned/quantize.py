"""Static int8 quantization of a refiner model (QDQ format) for ONNX Runtime's CPU integer kernels.

    /usr/bin/python3 tools/learned/quantize.py --data out/train/DATA MODEL.onnx OUT.onnx [--samples 20] [--percentile 99.999]

The shipped models/robust-refiner-v5-int8.onnx is
    /usr/bin/python3 tools/learned/quantize.py --data out/train/data-robust-0.5-300000-600-k5 models/robust-refiner-v5.onnx models/robust-refiner-v5-int8.onnx
(the data folder is what tools/learned/train.sh generates).

The 3×3 convolutions between the first and the last one (e0.2, e1.*, e2.*, d1.0, d0.0: ≈ 90 % of the network's
multiply-adds) and the transposed convolutions get int8 weights (symmetric; per output channel, per tensor for the
transposed ones; 7 bits by default so that CPUs without VNNI cannot saturate), int32 biases and uint8 inputs and
outputs; ONNX Runtime fuses each DequantizeLinear → Conv → Relu → QuantizeLinear group into one integer convolution
(each transposed convolution becomes the 1×1 convolution + DepthToSpace it equals, so it fuses too).
The first convolution (its input mixes planes of very different ranges: sRGB values, a 0/1 mask, a 100·σ noise
plane) and the last one (which writes the residual added to the classical result) stay float.
Activation ranges come from a calibration pass in PyTorch over training samples only (never the validation split,
the test seeds or the foreign bundles): for each quantized tensor the given percentile of its values over the
calibration frames (100 = the maximum). Needs Debian's python3-torch and python3-onnx.
"""
import argparse, os, sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402

# The tensors quantized to uint8 (ReLU outputs and the skip additions feeding a quantized convolution) and the
# convolutions that become integer ones.
ACTIVATIONS = ["/e0/e0.1/Relu_output_0", "/e0/e0.3/Relu_output_0", "/e1/e1.1/Relu_output_0", "/e1/e1.3/Relu_output_0",
               "/e2/e2.1/Relu_output_0", "/e2/e2.3/Relu_output_0", "/e2/e2.5/Relu_output_0", "/Add_output_0",
               "/d1/d1.1/Relu_output_0", "/Add_1_output_0", "/d0/d0.1/Relu_output_0",
               "/u1/ConvTranspose_output_0", "/u0/ConvTranspose_output_0"]
CONVS = ["e0.2", "e1.0", "e1.2", "e2.0", "e2.2", "e2.4", "d1.0", "d0.0", "u1", "u0"]


def calibrate(model, items, percentile):
    """Per activation: (low, high) over the calibration items, in the model's float domain."""
    taps = {}

    def keep(name):
        def hook(_m, _i, out):
            taps.setdefault(name, []).append(out.detach().flatten().numpy().copy())
        return hook

    mods = dict(model.named_modules())
    # Module outputs that are the ONNX tensors above (the additions are recomputed from their parts).
    relus = {"/e0/e0.1/Relu_output_0": "e0.1", "/e0/e0.3/Relu_output_0": "e0.3", "/e1/e1.1/Relu_output_0": "e1.1",
             "/e1/e1.3/Relu_output_0": "e1.3", "/e2/e2.1/Relu_output_0": "e2.1", "/e2/e2.3/Relu_output_0": "e2.3",
             "/e2/e2.5/Relu_output_0": "e2.5", "/d1/d1.1/Relu_output_0": "d1.1", "/d0/d0.1/Relu_output_0": "d0.1"}
    for t, m in relus.items():
        mods[m].register_forward_hook(keep(t))
    mods["u1"].register_forward_hook(keep("/u1/ConvTranspose_output_0"))
    mods["u0"].register_forward_hook(keep("/u0/ConvTranspose_output_0"))
    mods["d1.0"].register_forward_hook(lambda _m, i, _o: taps.setdefault("/Add_output_0", []).append(i[0].detach().flatten().numpy().copy()))
    mods["d0.0"].register_forward_hook(lambda _m, i, _o: taps.setdefault("/Add_1_output_0", []).append(i[0].detach().flatten().numpy().copy()))
    with torch.no_grad():
        for it in items:
            x = torch.from_numpy(it["x"][None])
            h, w = x.shape[2] // 4 * 4, x.shape[3] // 4 * 4
            model(x[:, :, :h, :w])
    ranges = {}
    for t in ACTIVATIONS:
        v = np.concatenate(taps[t])
        lo = min(0.0, float(np.percentile(v, 100 - percentile)))
        hi = max(float(np.percentile(v, percentile)), 1e-6)
        ranges[t] = (lo, hi)
    return ranges


def shuffle_transposed(g, ranges):
    """
    Rewrites each 2×2 stride-2 transposed convolution as the 1×1 convolution it is per input pixel (4× the output
    channels) followed by DepthToSpace (CRD): exact in float, and integer convolutions all the way, so ONNX Runtime keeps
    the quantized chain in one layout. The 1×1 output gets the transposed convolution's range (the same values).
    """
    inits = {i.name: i for i in g.initializer}
    nodes = list(g.node)
    for k, n in enumerate(nodes):
        if n.op_type != "ConvTranspose":
            continue
        w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)  # [in, out, 2, 2]
        b = numpy_helper.to_array(inits[n.input[2]]).astype(np.float32)
        cin, cout = w.shape[0], w.shape[1]
        # Output channel o·4 + a·2 + c of the 1×1 convolution is pixel (a, c) of output channel o.
        w1 = np.transpose(w, (1, 2, 3, 0)).reshape(cout * 4, cin)[:, :, None, None].copy()
        b1 = np.repeat(b, 4)
        name = n.input[1][:-len(".weight")]
        g.initializer.extend([numpy_helper.from_array(w1, name + ".s.weight"), numpy_helper.from_array(b1, name + ".s.bias")])
        t = n.output[0] + "_s"
        conv = helper.make_node("Conv", [n.input[0], name + ".s.weight", name + ".s.bias"], [t], name=n.name + "_1x1", kernel_shape=[1, 1])
        d2s = helper.make_node("DepthToSpace", [t], [n.output[0]], name=n.name + "_d2s", blocksize=2, mode="CRD")
        nodes[k:k + 1] = [conv, d2s]
        ranges[t] = ranges[n.output[0]]
    del g.node[:]
    g.node.extend(nodes)


def quantize(model_in, model_out, ranges, shuffle=False, wmax=63):
    m = onnx.load(model_in)
    g = m.graph
    activations = list(ACTIVATIONS)
    convs = list(CONVS)
    if shuffle:
        shuffle_transposed(g, ranges)
        activations += ["/u1/ConvTranspose_output_0_s", "/u0/ConvTranspose_output_0_s"]
        convs += ["u1.s", "u0.s"]
    inits = {i.name: i for i in g.initializer}
    new_inits, new_nodes = [], []
    act_scale = {}
    # Activations: Q → DQ right after the producer; every consumer reads the dequantized tensor.
    for t in activations:
        lo, hi = ranges[t]
        scale = (hi - lo) / 255.0
        zp = int(round(-lo / scale))
        act_scale[t] = scale
        new_inits += [numpy_helper.from_array(np.array(scale, np.float32), t + "_scale"),
                      numpy_helper.from_array(np.array(zp, np.uint8), t + "_zp")]
        for n in g.node:
            for k, name in enumerate(n.input):
                if name == t:
                    n.input[k] = t + "_dq"
        new_nodes.append((t, [helper.make_node("QuantizeLinear", [t, t + "_scale", t + "_zp"], [t + "_q"], name=t + "_Q"),
                              helper.make_node("DequantizeLinear", [t + "_q", t + "_scale", t + "_zp"], [t + "_dq"], name=t + "_DQ")]))
    # Weights: int8 per output channel; biases int32 at input scale × weight scale.
    for n in g.node:
        if n.op_type not in ("Conv", "ConvTranspose") or n.input[1][:-len(".weight")] not in convs:
            continue
        transposed = n.op_type == "ConvTranspose"
        wname, bname, xname = n.input[1], n.input[2], n.input[0]
        assert xname.endswith("_dq"), f"{n.name}: input {xname} not quantized"
        w = numpy_helper.to_array(inits[wname]).astype(np.float32)
        b = numpy_helper.to_array(inits[bname]).astype(np.float32)
        if transposed:
            # [in, out, kh, kw]: one scale for the whole tensor (what ONNX Runtime's integer transposed convolution takes).
            ws1 = max(float(np.abs(w).max()), 1e-12) / wmax
            wq = np.clip(np.round(w / ws1), -wmax, wmax).astype(np.int8)
            wsa, wza = np.array(ws1, np.float32), np.array(0, np.int8)
            bs = np.full(b.shape[0], act_scale[xname[:-3]] * ws1, np.float32)
        else:
            ws = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(axis=1), 1e-12) / wmax
            wq = np.clip(np.round(w / ws[:, None, None, None]), -wmax, wmax).astype(np.int8)
            wsa, wza = ws.astype(np.float32), np.zeros(w.shape[0], np.int8)
            bs = (act_scale[xname[:-3]] * ws).astype(np.float32)
        bq = np.round(b / bs).astype(np.int32)
        new_inits += [numpy_helper.from_array(wq, wname + "_q"), numpy_helper.from_array(wsa, wname + "_scale"),
                      numpy_helper.from_array(wza, wname + "_zp"),
                      numpy_helper.from_array(bq, bname + "_q"), numpy_helper.from_array(bs, bname + "_scale"),
                      numpy_helper.from_array(np.zeros(b.shape[0], np.int32), bname + "_zp")]
        waxis = {} if transposed else {"axis": 0}
        new_nodes.append((None, [helper.make_node("DequantizeLinear", [wname + "_q", wname + "_scale", wname + "_zp"], [wname + "_dq"], name=wname + "_DQ", **waxis),
                                 helper.make_node("DequantizeLinear", [bname + "_q", bname + "_scale", bname + "_zp"], [bname + "_dq"], axis=0, name=bname + "_DQ")]))
        n.input[1], n.input[2] = wname + "_dq", bname + "_dq"
    # Insert the new nodes after their producers (topological order).
    nodes = list(g.node)
    out = []
    pending = {t: ns for t, ns in new_nodes if t is not None}
    out += [nd for t, ns in new_nodes if t is None for nd in ns]
    for nd in nodes:
        out.append(nd)
        for o in nd.output:
            if o in pending:
                out += pending.pop(o)
    assert not pending, pending
    del g.node[:]
    g.node.extend(out)
    used = {i for nd in g.node for i in nd.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep + [i for i in new_inits if i.name in used])
    p = m.metadata_props.add()
    p.key, p.value = "eventdeblur.quantization", "int8 QDQ (tools/learned/quantize.py)"
    onnx.checker.check_model(m)
    tmp = model_out + ".tmp"
    onnx.save(m, tmp)
    os.replace(tmp, model_out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", choices=["every10", "hash"], default="hash")
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--percentile", type=float, default=99.999)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-shuffle", dest="shuffle", action="store_false", help="keep the transposed convolutions (float) instead of 1×1 convolutions + DepthToSpace")
    ap.add_argument("--weight-bits", type=int, choices=[7, 8], default=7,
                    help="7 (default): weights in [−63, 63], so x86 CPUs without VNNI cannot saturate their 16-bit pair sums; 8: [−127, 127]")
    ap.add_argument("model")
    ap.add_argument("out")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    items = train.load(a.data)
    samples = sorted({it["sample"] for it in items})
    val_ids = train.validation_ids(samples, a.split)
    calib_ids = [s for s in samples if s not in val_ids][:: max(1, (len(samples) - len(val_ids)) // a.samples)][: a.samples]
    calib = [it for it in items if it["sample"] in set(calib_ids)]
    print(f"calibration: {len(calib_ids)} training samples ({len(calib)} channels), none of the {len(val_ids)} validation ones", flush=True)
    model = train.Refiner(24)
    weights = {i.name: numpy_helper.to_array(i) for i in onnx.load(a.model).graph.initializer}
    model.load_state_dict({k: torch.from_numpy(weights[k].copy()) for k in model.state_dict()})
    model.eval()
    ranges = calibrate(model, calib, a.percentile)
    for t, (lo, hi) in ranges.items():
        print(f"  {t}: [{lo:.4f}, {hi:.4f}]", flush=True)
    quantize(a.model, a.out, ranges, a.shuffle, 63 if a.weight_bits == 7 else 127)
    print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes)", flush=True)


if __name__ == "__main__":
    main()
