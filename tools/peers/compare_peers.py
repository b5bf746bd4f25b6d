#!/usr/bin/env python3
"""Facelyzr's int8 drift next to ONNX Runtime's quantize_static, on the same faces.

Kept out of CI (it installs ONNX Runtime from PyPI). One command:

    python3 -m venv tools/peers/.venv && tools/peers/.venv/bin/pip install -r tools/peers/requirements.txt
    tools/peers/.venv/bin/python tools/peers/compare_peers.py CKPT --facelyzr .build/release/facelyzr --work /tmp/peers

What it does (docs/quantization.md section 10, "What is not measured yet"):
1. `facelyzr synth` renders the calibration and test splits of the synthetic generator as PNG
   files with manifest.csv (labels).
2. The float checkpoint (safetensors + Facelyzr metadata) is exported to ONNX (NCHW, input
   `(pixel - 128) / 128`, a regression head's output scale and offset folded into its last
   layer as the Swift quantizer does); the export is checked against an independent numpy forward.
3. ONNX Runtime `quantize_static` (QDQ, per-channel int8 weights, int8 activations) with MinMax,
   Entropy and Percentile calibration on the calibration images; the method is chosen on the
   calibration split (highest mean decision agreement with float), then evaluated once on the test split.
4. Facelyzr: `facelyzr quantize --method auto` and `facelyzr drift --json` on the same test faces.
5. A check that both exported the same float network (equal float accuracies), then one table
   per head: agreement with float, accuracy drop, age MAE increase; peer versions printed.

TFLite's post-training int8 is not here yet: it needs the TensorFlow converter (not only the
LiteRT runtime); see docs/quantization.md.
"""
import argparse
import csv
import json
import os
import struct
import subprocess
import sys

import numpy as np


# ---------------------------------------------------------------- checkpoint

def read_checkpoint(path):
    """Tensors (float32 numpy arrays) and the Facelyzr metadata of a safetensors checkpoint."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    if meta.get("format") != "facelyzr-checkpoint-1":
        sys.exit(f"{path}: not a Facelyzr checkpoint")
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[8 + n + start:8 + n + end], dtype="<f4").reshape(info["shape"]).copy()
    return tensors, json.loads(meta["facelyzr"])


def graph_layers(tensors, metadata):
    """The network as a list of layers (dicts), heads after the encoder, like FloatGraph in Swift."""
    arch = metadata["architecture"]
    norm = metadata["inputNormalization"]
    if norm["offset"] != 128:
        sys.exit("input normalisation offset must be 128 (the int8 contract)")
    layers = []

    def add(specs, prefix, source, head=None):
        current = source
        for i, spec in enumerate(specs):
            kind = spec["kind"]
            if kind == "dropout":
                continue
            layer = {"name": f"{prefix}.{i}", "kind": kind, "input": current, "activation": spec.get("activation", "none")}
            if kind == "conv2d":
                layer.update(weight=tensors[f"{prefix}.{i}.weight"], bias=tensors[f"{prefix}.{i}.bias"],
                             stride=spec.get("stride", 1), padding=spec.get("padding", "same"))
            if kind == "dense":
                w, b = tensors[f"{prefix}.{i}.weight"], tensors[f"{prefix}.{i}.bias"]
                if head is not None and i == len(specs) - 1 and head["task"] == "regression":
                    w, b = w * head["outputScale"], b * head["outputScale"] + head["outputOffset"]
                layer.update(weight=w, bias=b, head=head["name"] if head is not None and i == len(specs) - 1 else None)
            layers.append(layer)
            current = len(layers) - 1
        return current

    features = add(arch["encoder"], "encoder", None)
    for head in arch["heads"]:
        add(head["hidden"] + [{"kind": "dense", "units": len(head["labels"])}], f"heads.{head['name']}", features, head)
    return arch, 1.0 / norm["scale"], layers


def same_padding(size, kernel, stride, padding):
    """TensorFlow's rule (Padding.outputLength): output size and padding before/after."""
    if padding == "valid":
        return (size - kernel) // stride + 1, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2, total - total // 2


# ---------------------------------------------------------------- numpy forward (the check)

def numpy_forward(arch, layers, x):
    """x: [N, H, W, C] normalised. Returns {head: [N, labels]}."""
    outputs, heads = [], {}
    for layer in layers:
        v = x if layer["input"] is None else outputs[layer["input"]]
        k = layer["kind"]
        if k == "conv2d":
            w = layer["weight"]  # OHWI
            o, kh, kw, _ = w.shape
            s = layer["stride"]
            oh, pt, pb = same_padding(v.shape[1], kh, s, layer["padding"])
            ow, pl, pr = same_padding(v.shape[2], kw, s, layer["padding"])
            p = np.pad(v, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
            y = np.zeros((v.shape[0], oh, ow, o), np.float64)
            for ky in range(kh):
                for kx in range(kw):
                    patch = p[:, ky:ky + s * oh:s, kx:kx + s * ow:s, :]
                    y += patch @ w[:, ky, kx, :].T
            y += layer["bias"]
        elif k == "maxPool2x2":
            h, wd = v.shape[1] // 2 * 2, v.shape[2] // 2 * 2
            y = v[:, :h, :wd].reshape(v.shape[0], h // 2, 2, wd // 2, 2, v.shape[3]).max(axis=(2, 4))
        elif k == "averagePool2x2":
            h, wd = v.shape[1] // 2 * 2, v.shape[2] // 2 * 2
            y = v[:, :h, :wd].reshape(v.shape[0], h // 2, 2, wd // 2, 2, v.shape[3]).mean(axis=(2, 4))
        elif k == "globalAveragePool":
            y = v.mean(axis=(1, 2)).reshape(v.shape[0], 1, 1, -1)
        else:  # dense, over the NHWC-flattened input
            y = (v.reshape(v.shape[0], -1) @ layer["weight"].T + layer["bias"]).reshape(v.shape[0], 1, 1, -1)
        if layer["activation"] == "relu":
            y = np.maximum(y, 0)
        elif layer["activation"] == "relu6":
            y = np.clip(y, 0, 6)
        outputs.append(y)
        if layer.get("head"):
            heads[layer["head"]] = y.reshape(y.shape[0], -1)
    return heads


# ---------------------------------------------------------------- ONNX export

def export_onnx(arch, layers, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, outputs = [], [], []
    h, w, c = arch["inputHeight"], arch["inputWidth"], arch["inputChannels"]
    shapes, names = [], []  # per layer: its NCHW shape (without batch) and output name

    def const(name, array, dtype=np.float32):
        inits.append(numpy_helper.from_array(np.asarray(array, dtype), name))
        return name

    def activate(src, activation, i):
        if activation == "relu":
            nodes.append(helper.make_node("Relu", [src], [f"act{i}"]))
        elif activation == "relu6":
            nodes.append(helper.make_node("Clip", [src, const(f"lo{i}", 0.0), const(f"hi{i}", 6.0)], [f"act{i}"]))
        else:
            return src
        return f"act{i}"

    for i, layer in enumerate(layers):
        src = "input" if layer["input"] is None else names[layer["input"]]
        shape = [c, h, w] if layer["input"] is None else shapes[layer["input"]]
        k = layer["kind"]
        if k == "conv2d":
            wt = layer["weight"].transpose(0, 3, 1, 2)  # OHWI -> OIHW
            o, _, kh, kw = wt.shape
            s = layer["stride"]
            oh, pt, pb = same_padding(shape[1], kh, s, layer["padding"])
            ow, pl, pr = same_padding(shape[2], kw, s, layer["padding"])
            nodes.append(helper.make_node("Conv", [src, const(f"w{i}", wt), const(f"b{i}", layer["bias"])], [f"conv{i}"],
                                          kernel_shape=[kh, kw], strides=[s, s], pads=[pt, pl, pb, pr]))
            out, shape = activate(f"conv{i}", layer["activation"], i), [o, oh, ow]
        elif k in ("maxPool2x2", "averagePool2x2"):
            op = "MaxPool" if k == "maxPool2x2" else "AveragePool"
            nodes.append(helper.make_node(op, [src], [f"pool{i}"], kernel_shape=[2, 2], strides=[2, 2]))
            out, shape = f"pool{i}", [shape[0], shape[1] // 2, shape[2] // 2]
        elif k == "globalAveragePool":
            nodes.append(helper.make_node("GlobalAveragePool", [src], [f"gap{i}"]))
            out, shape = f"gap{i}", [shape[0], 1, 1]
        else:  # dense over the NHWC-flattened input, as the trainer flattens
            if shape[1] * shape[2] > 1:
                nodes.append(helper.make_node("Transpose", [src], [f"nhwc{i}"], perm=[0, 2, 3, 1]))
                src = f"nhwc{i}"
            nodes.append(helper.make_node("Flatten", [src], [f"flat{i}"], axis=1))
            nodes.append(helper.make_node("Gemm", [f"flat{i}", const(f"w{i}", layer["weight"]), const(f"b{i}", layer["bias"])],
                                          [f"gemm{i}"], transB=1))
            n = layer["weight"].shape[0]
            if layer.get("head"):
                nodes.append(helper.make_node("Identity", [f"gemm{i}"], [layer["head"]]))
                outputs.append(helper.make_tensor_value_info(layer["head"], TensorProto.FLOAT, [None, n]))
                out = layer["head"]
            else:
                a = activate(f"gemm{i}", layer["activation"], i)
                nodes.append(helper.make_node("Reshape", [a, const(f"shape{i}", [0, -1, 1, 1], np.int64)], [f"dense{i}"]))
                out = f"dense{i}"
            shape = [n, 1, 1]
        names.append(out)
        shapes.append(shape)

    graph = helper.make_graph(nodes, "facelyzr", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, c, h, w])],
                              outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


# ---------------------------------------------------------------- faces and metrics

def render_faces(facelyzr, split, count, size, seed, folder):
    if not os.path.exists(os.path.join(folder, "manifest.csv")):
        subprocess.run([facelyzr, "synth", "--split", split, "--count", str(count), "--size", str(size),
                        "--seed", str(seed), folder], check=True, stdout=subprocess.DEVNULL)
    from PIL import Image
    rows = list(csv.DictReader(open(os.path.join(folder, "manifest.csv"))))[:count]
    pixels = np.stack([np.asarray(Image.open(os.path.join(folder, r["file"])).convert("RGB")) for r in rows])
    return pixels, rows


def targets(head, rows):
    """[faces, labels] with NaN where unknown, like EvaluationSet.target in Swift."""
    cols = []
    for label in head["labels"]:
        key = "gender" if label.lower() == "male" else label
        cols.append([float(r[key]) if r.get(key, "") not in ("", None) else np.nan for r in rows])
    return np.array(cols).T


def compare(arch, rows, reference, candidate):
    """Per head: agreement %, accuracy drop (points, mean over labels) or MAE increase (years)."""
    result = {}
    for head in arch["heads"]:
        r, c, t = reference[head["name"]], candidate[head["name"]], targets(head, rows)
        if head["task"] == "regression":
            known = ~np.isnan(t[:, 0])
            result[head["name"]] = {"maeIncrease": float(np.mean(np.abs(c - t)[known]) - np.mean(np.abs(r - t)[known]))}
        else:
            agreement = float(np.mean((r > 0) == (c > 0)) * 100)
            drops = []
            for j in range(t.shape[1]):
                known = ~np.isnan(t[:, j])
                if known.any():
                    drops.append(100 * (np.mean((r[known, j] > 0) == (t[known, j] > 0.5)) - np.mean((c[known, j] > 0) == (t[known, j] > 0.5))))
            result[head["name"]] = {"agreement": agreement, "accuracyDrop": float(np.mean(drops)) if drops else None}
    return result


def run_onnx(path, x):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    out = [session.run(names, {"input": x[i:i + 256]}) for i in range(0, len(x), 256)]
    return {n: np.concatenate([o[k] for o in out]) for k, n in enumerate(names)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--facelyzr", default=".build/release/facelyzr")
    p.add_argument("--work", default="/tmp/facelyzr-peers")
    p.add_argument("--calibration-count", type=int, default=500)
    p.add_argument("--test-count", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)

    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

    tensors, metadata = read_checkpoint(a.checkpoint)
    arch, input_scale, layers = graph_layers(tensors, metadata)
    size = arch["inputHeight"]
    cal_pixels, cal_rows = render_faces(a.facelyzr, "calibration", a.calibration_count, size, a.seed, os.path.join(a.work, "calibration"))
    test_pixels, test_rows = render_faces(a.facelyzr, "test", a.test_count, size, a.seed, os.path.join(a.work, "test"))

    def normalise(pixels):
        return ((pixels.astype(np.float32) - 128) * input_scale).astype(np.float32)

    float_path = os.path.join(a.work, "float.onnx")
    export_onnx(arch, layers, float_path)
    check = numpy_forward(arch, layers, normalise(test_pixels[:64]).astype(np.float64))
    onnx_float_check = run_onnx(float_path, normalise(test_pixels[:64]).transpose(0, 3, 1, 2))
    worst = max(float(np.max(np.abs(check[h] - onnx_float_check[h]))) for h in check)
    print(f"ONNX export vs numpy forward: max |difference| {worst:.2e} on 64 faces")
    if worst > 1e-3:
        sys.exit("the ONNX export does not match the numpy forward")

    class Reader(CalibrationDataReader):
        def __init__(self, pixels):
            self.items = iter([{"input": normalise(pixels[i:i + 1]).transpose(0, 3, 1, 2)} for i in range(len(pixels))])

        def get_next(self):
            return next(self.items, None)

    cal_float = run_onnx(float_path, normalise(cal_pixels).transpose(0, 3, 1, 2))
    test_float = run_onnx(float_path, normalise(test_pixels).transpose(0, 3, 1, 2))
    candidates = {}
    for name, method in [("MinMax", CalibrationMethod.MinMax), ("Entropy", CalibrationMethod.Entropy),
                         ("Percentile", CalibrationMethod.Percentile)]:
        path = os.path.join(a.work, f"ort-{name}.onnx")
        quantize_static(float_path, path, Reader(cal_pixels), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, calibrate_method=method)
        on_calibration = compare(arch, cal_rows, cal_float, run_onnx(path, normalise(cal_pixels).transpose(0, 3, 1, 2)))
        agreements = [v["agreement"] for v in on_calibration.values() if "agreement" in v]
        candidates[name] = (float(np.mean(agreements)), path)
        print(f"ONNX Runtime {name}: mean agreement on the calibration split {candidates[name][0]:.2f}%")
    chosen = max(candidates, key=lambda k: candidates[k][0])
    ort_result = compare(arch, test_rows, test_float, run_onnx(candidates[chosen][1], normalise(test_pixels).transpose(0, 3, 1, 2)))

    blob = os.path.join(a.work, "facelyzr.blob")
    subprocess.run([a.facelyzr, "quantize", a.checkpoint, "--calibration", "synthetic", "--synthetic-seed", str(a.seed),
                    "--calibration-count", str(a.calibration_count), "--evaluation-count", "0", "--method", "auto",
                    "--out", blob, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    drift = json.loads(subprocess.run([a.facelyzr, "drift", "--float", a.checkpoint, "--int8", blob, "--data", "synthetic",
                                       "--synthetic-seed", str(a.seed), "--count", str(a.test_count), "--json", "--quiet"],
                                      stdout=subprocess.PIPE, check=False).stdout)
    # Both sides must have exported the same float network: equal float accuracies.
    for head in drift["heads"]:
        if head["kind"] != "regression":
            swift = [o["referenceAccuracy"]["value"] for o in head["outputs"] if o.get("referenceAccuracy")]
            t = targets(next(h for h in arch["heads"] if h["name"] == head["name"]), test_rows)
            r = test_float[head["name"]]
            onnx_acc = [100 * np.mean((r[~np.isnan(t[:, j]), j] > 0) == (t[~np.isnan(t[:, j]), j] > 0.5))
                        for j in range(t.shape[1]) if (~np.isnan(t[:, j])).any()]
            print(f"float accuracy of {head['name']}: Facelyzr {np.mean(swift):.3f}%, ONNX {np.mean(onnx_acc):.3f}%")
    fz = {}
    for head in drift["heads"]:
        if head["kind"] == "regression":
            fz[head["name"]] = {"maeIncrease": head["outputs"][0]["maeIncrease"]["value"]}
        else:
            fz[head["name"]] = {"agreement": head["meanAgreement"], "accuracyDrop": head["meanAccuracyDrop"]}

    print(f"\nonnx {onnx.__version__}, onnxruntime {ort.__version__} (chosen calibration: {chosen}); "
          f"{a.test_count} test faces, {a.calibration_count} calibration faces")
    print(f"{'head':<12} {'metric':<22} {'Facelyzr':>10} {'ONNX Runtime':>14}")
    for head in arch["heads"]:
        for metric in fz[head["name"]]:
            f, o = fz[head["name"]][metric], ort_result[head["name"]][metric]
            fmt = lambda v: "-" if v is None else f"{v:.3f}"
            print(f"{head['name']:<12} {metric:<22} {fmt(f):>10} {fmt(o):>14}")


if __name__ == "__main__":
    main()
