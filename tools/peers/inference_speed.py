"""Facelyzr vs ONNX Runtime vs LiteRT (TFLite + XNNPACK) on the same int8 model, one thread,
same inputs, in one run; plus a layer-by-layer check that ONNX Runtime agrees with Facelyzr
within +-1 LSB. Run through tools/peers/inference-speed.sh (docs/benchmarks.md "Peers")."""
import argparse
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import fzblob  # noqa: E402
from write_section import write_section  # noqa: E402
from tflite_int8 import full_integer_tflite  # noqa: E402

FACELYZR = ".build/release/facelyzr"
WORK = ".build/peers"


# ---------------------------------------------------------------- ONNX QOperator graph
def onnx_graph(blob, first, last, input_name="x"):
    """The blob's ops first..<last as an ONNX QOperator graph over NCHW int8 tensors.
    Quantisation parameters are the blob's: activation scales and zero points of its tensors,
    per-channel weight scales s_w = real * s_out / s_in (real = the blob's M * 2^shift / 2^31),
    int8 weights and int32 biases as they are."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, count = [], [], [0]

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def fresh(prefix):
        count[0] += 1
        return f"{prefix}{count[0]}"

    def qparams(t):
        ten = blob.tensors[t]
        return (const(fresh("s"), np.array(ten["scale"], np.float32)),
                const(fresh("z"), np.array(ten["zero_point"], np.int8)))

    x = input_name
    outputs = []
    first_tensor = blob.ops[first]["input"]
    head_outputs = []
    for op in blob.ops[first:last]:
        kind = op["kind"]
        tin = blob.tensors[op["input"]]
        if kind == "conv2D":
            w = op["weights"].transpose(0, 3, 1, 2)  # OHWI -> OIHW
            tout = blob.tensors[op["output"]]
            w_scale = (op["real"] * tout["scale"] / tin["scale"]).astype(np.float32)
            xs, xz = qparams(op["input"])
            ys, yz = qparams(op["output"])
            kh, kw = op["kernel"]
            pads = [(kh - 1) // 2, (kw - 1) // 2, kh // 2, kw // 2] if op["padding"] == "same" else [0, 0, 0, 0]
            y = fresh("conv")
            nodes.append(helper.make_node(
                "QLinearConv",
                [x, xs, xz, const(fresh("w"), w), const(fresh("ws"), w_scale),
                 const(fresh("wz"), np.zeros(len(w_scale), np.int8)), ys, yz, const(fresh("b"), op["bias"])],
                [y], kernel_shape=[kh, kw], pads=pads, strides=list(op["stride"])))
            assert op["clamp"] == (tout["zero_point"], 127), "ReLU is the int8 saturation at the zero point"
            x = y
        elif kind == "maxPool2x2":
            y = fresh("pool")
            nodes.append(helper.make_node("MaxPool", [x], [y], kernel_shape=[2, 2], strides=[2, 2]))
            x = y
        elif kind == "globalAveragePool":
            xs, xz = qparams(op["input"])
            ys, yz = qparams(op["output"])
            y = fresh("gap")
            nodes.append(helper.make_node("QLinearGlobalAveragePool", [x, xs, xz, ys, yz], [y],
                                          domain="com.microsoft", channels_last=0))
            x = y
        elif kind == "fullyConnected":
            tout = blob.tensors[op["output"]]
            flat = fresh("flat")
            nodes.append(helper.make_node("Flatten", [x], [flat]))
            xs, xz = qparams(op["input"])
            ys, yz = qparams(op["output"])
            b_scale = (op["real"] * tout["scale"] / tin["scale"]).astype(np.float32)
            y = fresh("fc")
            nodes.append(helper.make_node(
                "QGemm",
                [flat, xs, xz, const(fresh("w"), op["weights"]), const(fresh("ws"), b_scale),
                 const(fresh("wz"), np.zeros(len(b_scale), np.int8)), const(fresh("b"), op["bias"]), ys, yz],
                [y], domain="com.microsoft", transB=1))
            x = y
        elif kind == "fullyConnectedAccumulators":
            _, xz = qparams(op["input"])
            flat = fresh("flat")
            nodes.append(helper.make_node("Flatten", [x], [flat]))
            acc = fresh("acc")
            nodes.append(helper.make_node(
                "MatMulInteger", [flat, const(fresh("w"), op["weights"].T.copy()), xz], [acc]))
            y = fresh("head")
            nodes.append(helper.make_node("Add", [acc, const(fresh("b"), op["bias"])], [y]))
            head_outputs.append(y)
        else:
            raise ValueError(f"no ONNX mapping for {kind}")
    if head_outputs:
        y = "heads"
        nodes.append(helper.make_node("Concat", head_outputs, [y], axis=1))
        outputs.append(helper.make_tensor_value_info(y, TensorProto.INT32, None))
    else:
        outputs.append(helper.make_tensor_value_info(x, TensorProto.INT8, None))
    h, w, c = blob.tensors[first_tensor]["shape"]
    graph = helper.make_graph(nodes, "facelyzr", [helper.make_tensor_value_info(input_name, TensorProto.INT8, [1, c, h, w])],
                              outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    return model


def ort_session(model_or_path):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    data = model_or_path.SerializeToString() if hasattr(model_or_path, "SerializeToString") else model_or_path
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


# ---------------------------------------------------------------- layer-by-layer check
def layer_check(blob, dump):
    """Runs each op alone in ONNX Runtime on Facelyzr's own input to that op and counts how many
    int8 outputs differ by more than 1 LSB (int32 head outputs are compared exactly)."""
    pixels_count = blob.input_height * blob.input_width * blob.input_channels
    activations = {blob.input_tensor: (np.frombuffer(dump, np.uint8, pixels_count) ^ 0x80).view(np.int8)}
    cursor = pixels_count
    rows = []
    total = within = 0
    head_cursor = len(dump) - 4 * sum(op["accumulators"] for op in blob.ops)
    for index, op in enumerate(blob.ops):
        tin = blob.tensors[op["input"]]
        x = activations[op["input"]].reshape(tin["shape"]).transpose(2, 0, 1)[None].copy()
        session = ort_session(onnx_graph(blob, index, index + 1))
        (theirs,) = session.run(None, {"x": x})
        if op["kind"] == "fullyConnectedAccumulators":
            ours = np.frombuffer(dump, np.int32, op["accumulators"], head_cursor)
            head_cursor += 4 * op["accumulators"]
            diff = np.abs(theirs.reshape(-1).astype(np.int64) - ours)
            ok = int((diff == 0).sum())
            rows.append((index, op["kind"], ours.size, ok, int(diff.max()), "exact"))
            total += ours.size
            within += ok
            continue
        tout = blob.tensors[op["output"]]
        n = int(np.prod(tout["shape"]))
        ours = np.frombuffer(dump, np.int8, n, cursor).reshape(tout["shape"])
        cursor += n
        activations[op["output"]] = ours.reshape(-1)
        theirs = theirs.reshape(tout["shape"][2], tout["shape"][0], tout["shape"][1]).transpose(1, 2, 0)
        diff = np.abs(theirs.astype(np.int32) - ours.astype(np.int32))
        ok = int((diff <= 1).sum())
        rows.append((index, op["kind"], n, ok, int(diff.max()), "+-1 LSB"))
        total += n
        within += ok
    return rows, total, within


# ---------------------------------------------------------------- TFLite
def tflite_model(blob, path):
    """The same architecture as a float Keras model whose weights are the blob's dequantised
    ones, converted by TFLite's converter to full int8 with a representative dataset."""
    if os.path.exists(path):
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    keras = tf.keras
    h, w, c = blob.tensors[blob.input_tensor]["shape"]
    inp = keras.Input((h, w, c), batch_size=1)
    x, heads, features, weights = inp, [], None, []
    for op in blob.ops:
        kind = op["kind"]
        if kind == "conv2D":
            tin, tout = blob.tensors[op["input"]], blob.tensors[op["output"]]
            w_scale = op["real"] * tout["scale"] / tin["scale"]
            layer = keras.layers.Conv2D(op["weights"].shape[0], op["kernel"], strides=op["stride"],
                                        padding=op["padding"], activation="relu")
            x = layer(x)
            weights.append((layer, [(op["weights"] * w_scale[:, None, None, None]).transpose(1, 2, 3, 0),
                                    op["bias"] * tin["scale"] * w_scale]))
        elif kind == "maxPool2x2":
            x = keras.layers.MaxPool2D(2)(x)
        elif kind == "globalAveragePool":
            x = keras.layers.GlobalAveragePooling2D()(x)
        elif kind == "fullyConnected":
            tin, tout = blob.tensors[op["input"]], blob.tensors[op["output"]]
            w_scale = op["real"] * tout["scale"] / tin["scale"]
            layer = keras.layers.Dense(op["weights"].shape[0], activation="relu")
            x = features = layer(x)
            weights.append((layer, [(op["weights"] * w_scale[:, None]).T, op["bias"] * tin["scale"] * w_scale]))
        elif kind == "fullyConnectedAccumulators":
            layer = keras.layers.Dense(op["weights"].shape[0])
            heads.append(layer(features))
            weights.append((layer, [op["weights"].T * 0.01, op["bias"] * 0.0]))
    model = keras.Model(inp, heads)
    for layer, values in weights:
        layer.set_weights([v.astype(np.float32) for v in values])
    rng = np.random.default_rng(0)

    def representative():
        for _ in range(32):
            yield [((rng.integers(0, 256, (1, h, w, c)) - 128) / 128).astype(np.float32)]

    data = full_integer_tflite(model, representative)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------- timing
def time_loop(body, runs, warmup):
    for _ in range(warmup):
        body()
    samples = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter_ns()
        body()
        samples[i] = time.perf_counter_ns() - start
    return float(np.median(samples)) / 1000


def facelyzr_median(blob_path, runs, warmup):
    out = subprocess.run([FACELYZR, "bench", blob_path, "--runs", str(runs), "--warmup", str(warmup)],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"latency: median ([0-9.]+) us", out).group(1))


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        text = f.read()
    model = re.search(r"model name\s*:\s*(.*)", text).group(1)
    flags = re.search(r"flags\s*:\s*(.*)", text).group(1).split()
    simd = [f for f in flags if re.match(r"(sse|ssse|avx|fma|f16c|amx|vnni)", f)]
    return model, simd


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the three runtimes")
    parser.add_argument("--runs", type=int, default=400, help="timed inferences per runtime per round")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--write-docs", help="replace the peers table in this markdown file")
    args = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    blob_path, dump_path = f"{WORK}/random-encoder-64.fzb", f"{WORK}/layers.bin"
    subprocess.run([FACELYZR, "bench", "--save-model", blob_path], check=True, capture_output=True)
    subprocess.run([FACELYZR, "bench", blob_path, "--dump-layers", dump_path], check=True, capture_output=True)
    blob = fzblob.Blob.read(blob_path)
    with open(dump_path, "rb") as f:
        dump = f.read()

    rows, total, within = layer_check(blob, dump)
    lines = ["Layer by layer, each op alone in ONNX Runtime on Facelyzr's own input to it:", "",
             "| op | kind | values | agreeing | max diff | criterion |", "|---|---|---|---|---|---|"]
    lines += [f"| {i} | {k} | {n} | {ok} | {d} | {crit} |" for i, k, n, ok, d, crit in rows]
    share = within / total
    lines += ["", f"Agreement: {within} of {total} values ({100 * share:.3f}%; goal >= 99.9%)."]

    import onnxruntime
    from ai_edge_litert.interpreter import Interpreter
    onnx_path = f"{WORK}/random-encoder-64.onnx"
    with open(onnx_path, "wb") as f:
        f.write(onnx_graph(blob, 0, len(blob.ops)).SerializeToString())
    session = ort_session(onnx_path)
    tflite_path = f"{WORK}/random-encoder-64.tflite"
    tflite_model(blob, tflite_path)
    interpreter = Interpreter(model_path=tflite_path, num_threads=1)
    interpreter.allocate_tensors()
    tin = interpreter.get_input_details()[0]

    pixels = np.frombuffer(dump, np.uint8, blob.input_height * blob.input_width * blob.input_channels)
    q = (pixels ^ 0x80).view(np.int8).reshape(1, blob.input_height, blob.input_width, blob.input_channels)
    feed = {"x": q.transpose(0, 3, 1, 2).copy()}
    interpreter.set_tensor(tin["index"], q)

    medians = {"Facelyzr": [], "ONNX Runtime": [], "LiteRT (XNNPACK)": []}
    for _ in range(args.rounds):
        medians["Facelyzr"].append(facelyzr_median(blob_path, args.runs, args.warmup))
        medians["ONNX Runtime"].append(time_loop(lambda: session.run(None, feed), args.runs, args.warmup))
        medians["LiteRT (XNNPACK)"].append(time_loop(interpreter.invoke, args.runs, args.warmup))
    result = {name: float(np.median(v)) for name, v in medians.items()}
    faster_peer = min(result["ONNX Runtime"], result["LiteRT (XNNPACK)"])

    model, simd = cpu_flags()
    versions = {p: importlib.metadata.version(p) for p in ("onnx", "onnxruntime", "ai-edge-litert", "tensorflow-cpu")}
    table = [f"CPU: {model}; SIMD flags: {' '.join(simd)}",
             f"Python {platform.python_version()}; " + ", ".join(f"{p} {v}" for p, v in versions.items()),
             f"{args.rounds} interleaved rounds x {args.runs} timed inferences (after {args.warmup} warm-up) per runtime, one thread, same input; "
             "each figure is the median of the round medians.", "",
             "| runtime | median latency (us) | ratio to Facelyzr | Facelyzr / this |", "|---|---|---|---|"]
    for name, value in result.items():
        table.append(f"| {name} | {value:.1f} | {value / result['Facelyzr']:.2f} | {result['Facelyzr'] / value:.2f} |")
    table += ["", f"Facelyzr / faster peer: {result['Facelyzr'] / faster_peer:.2f} (goal <= 0.80).",
              "Round medians (us): " + "; ".join(f"{n} " + ", ".join(f"{v:.0f}" for v in vs) for n, vs in medians.items())]
    text = "\n".join(table + [""] + lines)
    print(text)
    if args.write_docs:
        write_section(args.write_docs, "<!-- peers:begin (tools/peers/inference-speed.sh) -->", "<!-- peers:end -->", text)
    if share < 0.999:
        sys.exit("ONNX Runtime agrees with Facelyzr on fewer than 99.9% of values")


if __name__ == "__main__":
    main()
