#!/usr/bin/env python3
"""Facelyzr's int8 drift next to ONNX Runtime's quantize_static and TFLite's post-training int8,
on the same faces.

Kept out of CI (it installs ONNX Runtime and TensorFlow from PyPI). One command:

    bash tools/peers/setup.sh
    .venv-peers/bin/python tools/peers/quantization_drift.py CKPT --facelyzr .build/release/facelyzr

What it does (docs/quantization.md, "Peers"):
1. `facelyzr synth` renders the calibration and test splits of the synthetic generator as PNG
   files with manifest.csv (labels).
2. The float checkpoint (safetensors + Facelyzr metadata) is exported to ONNX (NCHW) and built as
   a tf.keras model (NHWC, keras_net.py), both on `(pixel - 128) / 128`, a regression head's output
   scale and offset folded into its last layer as the Swift quantizer does; each is checked
   against an independent numpy forward (max |difference| at most 1e-4).
3. ONNX Runtime `quantize_static` (QDQ, per-channel int8 weights, int8 activations) with MinMax,
   Entropy and Percentile calibration; TFLite's converter with full-integer quantization (int8
   ops only, int8 input and output, `representative_dataset` = the calibration images), per-channel
   (its default) and per-tensor, run by the LiteRT interpreter. Each tool's configuration is
   chosen on the calibration split (highest mean decision agreement with its own float model),
   then evaluated once on the test split.
4. Facelyzr: `facelyzr quantize --method auto` and `facelyzr drift --json` on the same test faces.
5. A check that all exported the same float network (equal float accuracies), then a table per
   head output: agreement with float, accuracy drop, age MAE increase, each with the 95% interval
   `facelyzr drift` uses (Wilson for agreement, paired mean +- 1.96 sd / sqrt(n) for the drop and
   the MAE increase); peer versions printed.
"""
import argparse
import csv
import importlib.metadata
import json
import os
import struct
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tflite_int8 import full_integer_tflite  # noqa: E402


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


Z95 = 1.959963984540054


def wilson(successes, count):
    """Percent with its 95% Wilson interval, as Estimate.proportion in Swift."""
    n, p = float(count), successes / count
    centre = (p + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
    half = Z95 / (1 + Z95 ** 2 / n) * np.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n))
    return {"value": 100 * p, "low": 100 * max(0.0, centre - half), "high": 100 * min(1.0, centre + half)}


def mean_interval(values):
    """Mean with `mean +- 1.96 sd / sqrt(n)`, as Estimate.mean in Swift."""
    values = np.asarray(values, np.float64)
    m = float(values.mean())
    half = Z95 * float(values.std(ddof=1)) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return {"value": m, "low": m - half, "high": m + half}


def compare(arch, rows, reference, candidate):
    """Per head, the same figures as `facelyzr drift --json`: per output the agreement of the
    decisions (logit > 0), the paired accuracy drop (points) or MAE increase (years), with 95%
    intervals; per head the mean agreement and mean accuracy drop over its outputs."""
    result = {}
    for head in arch["heads"]:
        r, c, t = reference[head["name"]], candidate[head["name"]], targets(head, rows)
        outputs = []
        for j, label in enumerate(head["labels"]):
            known = ~np.isnan(t[:, j])
            o = {"label": label}
            if head["task"] == "regression":
                o["maeIncrease"] = mean_interval(np.abs(c[known, j] - t[known, j]) - np.abs(r[known, j] - t[known, j]))
            else:
                o["agreement"] = wilson(int(np.sum((r[:, j] > 0) == (c[:, j] > 0))), len(r))
                right_r = (r[known, j] > 0) == (t[known, j] > 0.5)
                right_c = (c[known, j] > 0) == (t[known, j] > 0.5)
                o["accuracyDrop"] = mean_interval(100.0 * (right_r.astype(float) - right_c.astype(float)))
            outputs.append(o)
        drops = [o["accuracyDrop"]["value"] for o in outputs if "accuracyDrop" in o]
        agreements = [o["agreement"]["value"] for o in outputs if "agreement" in o]
        result[head["name"]] = {"outputs": outputs,
                                "meanAccuracyDrop": float(np.mean(drops)) if drops else None,
                                "meanAgreement": float(np.mean(agreements)) if agreements else None}
    return result


def float_accuracy(head, rows, outputs):
    """Mean over labels of the float accuracy (percent) of a binary head."""
    t, r = targets(head, rows), outputs[head["name"]]
    return float(np.mean([100 * np.mean((r[~np.isnan(t[:, j]), j] > 0) == (t[~np.isnan(t[:, j]), j] > 0.5))
                          for j in range(t.shape[1]) if (~np.isnan(t[:, j])).any()]))


def mean_agreement(result):
    return float(np.mean([h["meanAgreement"] for h in result.values() if h["meanAgreement"] is not None]))


def run_onnx(path, x):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    out = [session.run(names, {"input": x[i:i + 256]}) for i in range(0, len(x), 256)]
    return {n: np.concatenate([o[k] for o in out]) for k, n in enumerate(names)}


# ---------------------------------------------------------------- TFLite

def tflite_int8(model, calibration_x, per_channel, path):
    """TFLite post-training full-integer quantization of the Keras model (`full_integer_tflite`),
    activation ranges from the calibration images, one at a time, written to `path`."""
    data = full_integer_tflite(model, lambda: ([calibration_x[i:i + 1]] for i in range(len(calibration_x))), per_channel)
    with open(path, "wb") as f:
        f.write(data)


def run_tflite(path, arch, x, output_names):
    """Runs a .tflite file with LiteRT's interpreter (its default CPU kernels, one thread) on
    normalised images x [N, H, W, C]; the int8 input is quantised with the model's own input
    scale and zero point, the int8 outputs dequantised with theirs. Returns {head: [N, labels]}
    and the input quantisation (scale, zero point)."""
    from ai_edge_litert.interpreter import Interpreter
    interpreter = Interpreter(model_path=path, num_threads=1)
    runner = interpreter.get_signature_runner()
    (input_name, input_detail), = runner.get_input_details().items()
    scale, zero = input_detail["quantization"]
    details = runner.get_output_details()
    batches = []
    for i in range(0, len(x), 250):
        q = np.clip(np.round(x[i:i + 250] / scale) + zero, -128, 127).astype(np.int8)
        out = runner(**{input_name: q})
        batches.append({name: (out[name].astype(np.float32) - details[name]["quantization"][1])
                        * details[name]["quantization"][0] for name in out})
    result = {head["name"]: np.concatenate([b[output_names[head["name"]]] for b in batches]).reshape(len(x), -1)
              for head in arch["heads"]}
    return result, (scale, zero)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
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
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import keras_net

    tensors, metadata = read_checkpoint(a.checkpoint)
    arch, input_scale, layers = graph_layers(tensors, metadata)
    size = arch["inputHeight"]
    cal_pixels, cal_rows = render_faces(a.facelyzr, "calibration", a.calibration_count, size, a.seed, os.path.join(a.work, "calibration"))
    test_pixels, test_rows = render_faces(a.facelyzr, "test", a.test_count, size, a.seed, os.path.join(a.work, "test"))

    def normalise(pixels):
        return ((pixels.astype(np.float32) - 128) * input_scale).astype(np.float32)

    # The float models: ONNX (NCHW) and Keras (NHWC), each checked against the numpy forward.
    float_path = os.path.join(a.work, "float.onnx")
    export_onnx(arch, layers, float_path)
    keras_model = keras_net.build(arch, tf)
    keras_net.set_checkpoint_weights(keras_model, arch, tensors)
    head_names = [h["name"] for h in arch["heads"]]

    def run_keras(x):
        out = keras_model.predict(x, batch_size=256, verbose=0)
        return {name: np.asarray(o) for name, o in zip(head_names, out)}

    check = numpy_forward(arch, layers, normalise(test_pixels[:64]).astype(np.float64))
    for name, outputs in [("ONNX", run_onnx(float_path, normalise(test_pixels[:64]).transpose(0, 3, 1, 2))),
                          ("tf.keras", run_keras(normalise(test_pixels[:64])))]:
        worst = max(float(np.max(np.abs(check[h] - outputs[h]))) for h in check)
        print(f"{name} float model vs numpy forward: max |difference| {worst:.2e} on 64 faces")
        if worst > 1e-4:
            sys.exit(f"the {name} float model does not match the numpy forward")

    class Reader(CalibrationDataReader):
        def __init__(self, pixels):
            self.items = iter([{"input": normalise(pixels[i:i + 1]).transpose(0, 3, 1, 2)} for i in range(len(pixels))])

        def get_next(self):
            return next(self.items, None)

    # ONNX Runtime quantize_static: each calibration method, chosen on the calibration split.
    cal_float = run_onnx(float_path, normalise(cal_pixels).transpose(0, 3, 1, 2))
    test_float = run_onnx(float_path, normalise(test_pixels).transpose(0, 3, 1, 2))
    candidates = {}
    for name, method in [("MinMax", CalibrationMethod.MinMax), ("Entropy", CalibrationMethod.Entropy),
                         ("Percentile", CalibrationMethod.Percentile)]:
        path = os.path.join(a.work, f"ort-{name}.onnx")
        quantize_static(float_path, path, Reader(cal_pixels), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, calibrate_method=method)
        on_calibration = compare(arch, cal_rows, cal_float, run_onnx(path, normalise(cal_pixels).transpose(0, 3, 1, 2)))
        candidates[name] = (mean_agreement(on_calibration), path)
        print(f"ONNX Runtime {name}: mean agreement on the calibration split {candidates[name][0]:.2f}%")
    ort_chosen = max(candidates, key=lambda k: candidates[k][0])
    ort_result = compare(arch, test_rows, test_float, run_onnx(candidates[ort_chosen][1], normalise(test_pixels).transpose(0, 3, 1, 2)))

    # TFLite post-training full-integer quantization: per-channel (default) or per-tensor,
    # chosen on the calibration split. The converter names the signature's outputs `output_<i>`
    # in the Keras model's output order.
    output_names = {h: f"output_{i}" for i, h in enumerate(head_names)}
    cal_keras, test_keras = run_keras(normalise(cal_pixels)), run_keras(normalise(test_pixels))
    tfl_candidates = {}
    for name, per_channel in [("per-channel", True), ("per-tensor", False)]:
        path = os.path.join(a.work, f"tflite-{name}.tflite")
        tflite_int8(keras_model, normalise(cal_pixels), per_channel, path)
        int8, (scale, zero) = run_tflite(path, arch, normalise(cal_pixels), output_names)
        tfl_candidates[name] = (mean_agreement(compare(arch, cal_rows, cal_keras, int8)), path)
        print(f"TFLite {name}: mean agreement on the calibration split {tfl_candidates[name][0]:.2f}% "
              f"(int8 input scale {scale:.8f}, zero point {zero})")
    tfl_chosen = max(tfl_candidates, key=lambda k: tfl_candidates[k][0])
    tfl_result = compare(arch, test_rows, test_keras, run_tflite(tfl_candidates[tfl_chosen][1], arch, normalise(test_pixels), output_names)[0])

    blob = os.path.join(a.work, "facelyzr.blob")
    subprocess.run([a.facelyzr, "quantize", a.checkpoint, "--calibration", "synthetic", "--synthetic-seed", str(a.seed),
                    "--calibration-count", str(a.calibration_count), "--evaluation-count", "0", "--method", "auto",
                    "--out", blob, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    drift = json.loads(subprocess.run([a.facelyzr, "drift", "--float", a.checkpoint, "--int8", blob, "--data", "synthetic",
                                       "--synthetic-seed", str(a.seed), "--count", str(a.test_count), "--json", "--quiet"],
                                      stdout=subprocess.PIPE, check=False).stdout)
    # All must have exported the same float network: equal float accuracies.
    for head in drift["heads"]:
        if head["kind"] != "regression":
            swift = np.mean([o["referenceAccuracy"]["value"] for o in head["outputs"] if o.get("referenceAccuracy")])
            spec = next(h for h in arch["heads"] if h["name"] == head["name"])
            print(f"float accuracy of {head['name']}: Facelyzr {swift:.3f}%, ONNX {float_accuracy(spec, test_rows, test_float):.3f}%, "
                  f"tf.keras {float_accuracy(spec, test_rows, test_keras):.3f}%")
    fz = {head["name"]: {"outputs": head["outputs"], "meanAccuracyDrop": head.get("meanAccuracyDrop"),
                         "meanAgreement": head.get("meanAgreement")} for head in drift["heads"]}

    print(f"\nonnx {onnx.__version__}, onnxruntime {ort.__version__} (chosen: {ort_chosen}); "
          f"tensorflow {tf.__version__} (converter), ai-edge-litert {importlib.metadata.version('ai-edge-litert')} "
          f"(interpreter; chosen: {tfl_chosen}); {a.test_count} test faces, {a.calibration_count} calibration faces; "
          f"95% intervals in brackets")
    tools = [("Facelyzr", fz), ("ONNX Runtime", ort_result), ("TFLite", tfl_result)]
    print(f"{'head/output':<32} {'metric':<13}" + "".join(f" {t:>24}" for t, _ in tools))

    def cell(e):
        return "-" if e is None else f"{e['value']:.3f} [{e['low']:.2f}, {e['high']:.2f}]"

    for head in arch["heads"]:
        for j, label in enumerate(head["labels"]):
            for metric in ("agreement", "accuracyDrop", "maeIncrease"):
                if metric in ort_result[head["name"]]["outputs"][j]:
                    print(f"{head['name'] + '/' + label:<32} {metric:<13}"
                          + "".join(f" {cell(r[head['name']]['outputs'][j].get(metric)):>24}" for _, r in tools))
        if len(head["labels"]) > 1:
            for metric in ("meanAgreement", "meanAccuracyDrop"):
                print(f"{head['name'] + ' (mean)':<32} {metric:<13}"
                      + "".join(f" {r[head['name']][metric]:>24.3f}" for _, r in tools))


if __name__ == "__main__":
    main()
