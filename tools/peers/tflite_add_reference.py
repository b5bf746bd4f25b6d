"""Proves Facelyzr's add bit-exact with TFLite's reference ADD int8 kernel (BUILTIN_REF).

For each case, a tf.keras model `relu?(a + b)` of two inputs is converted by TFLiteConverter
(full-integer post-training quantization; the representative data's ranges differ per case, so
the converter picks different scales and zero points) and run by tf.lite's Interpreter with the
BUILTIN_REF op resolver (TFLite's reference kernels: reference_integer_ops::Add) on every pair
of int8 inputs (256 x 256). The script requires TFLite's outputs to equal the oracle's `add`
(tools/oracle/oracle.py, with its `add_requantization` of TFLite's scales), and writes the
cases with the CRC-32 of TFLite's 65,536 outputs to Tests/FacelyzrRuntimeTests/Golden/tflite-add.json,
which `TFLiteAddTests` checks against BlobBuilder.addRequantization and the runtime's
Reference and Fast add. Run with .venv-peers/bin/python3 (tools/peers/setup.sh); kept out of CI.

    .venv-peers/bin/python3 tools/peers/tflite_add_reference.py [--check]
"""
import argparse
import json
import os
import sys
import zlib

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "oracle"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from tflite_int8 import full_integer_tflite  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "FacelyzrRuntimeTests", "Golden", "tflite-add.json")
# (range of a, range of b, fused ReLU): different scales, zero points and ratios of scales.
CASES = [((-1, 1), (-1, 1), False), ((-1, 1), (-0.25, 0.25), False), ((0, 6), (-3, 1), True),
         ((-0.01, 0.02), (-4, 4), False), ((0, 1), (0, 1), True), ((-20, 5), (-0.5, 0.7), False),
         ((-2, 2), (0, 0.001), True), ((0, 3), (-3, 0), False)]


def tflite_add(range_a, range_b, relu, seed):
    a = tf.keras.Input((256, 256, 1), batch_size=1)
    b = tf.keras.Input((256, 256, 1), batch_size=1)
    y = tf.keras.layers.Add()([a, b])
    if relu:
        y = tf.keras.layers.ReLU()(y)
    model = tf.keras.Model([a, b], y)
    rng = np.random.default_rng(seed)

    def representative():
        for _ in range(8):
            yield [rng.uniform(*range_a, (1, 256, 256, 1)).astype(np.float32),
                   rng.uniform(*range_b, (1, 256, 256, 1)).astype(np.float32)]

    content = full_integer_tflite(model, representative)
    interpreter = tf.lite.Interpreter(
        model_content=content, experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    ops = [op["op_name"] for op in interpreter._get_ops_details()]
    assert ops == ["ADD"], ops
    inputs = interpreter.get_input_details()
    # Every pair of int8 values: a varies along rows, b along columns.
    grid = np.arange(-128, 128, dtype=np.int8)
    values = [np.repeat(grid, 256).reshape(1, 256, 256, 1), np.tile(grid, 256).reshape(1, 256, 256, 1)]
    # Input 1 (the interpreter's first input) takes the rows' values, input 2 the columns'.
    for detail, x in zip(inputs, values):
        interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    out = interpreter.get_output_details()[0]
    y = interpreter.get_tensor(out["index"]).reshape(-1)
    names = [d["name"] for d in inputs]
    return inputs, names, values, out, y


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = parser.parse_args()
    cases = []
    for k, (range_a, range_b, relu) in enumerate(CASES):
        inputs, names, values, out, y = tflite_add(range_a, range_b, relu, seed=k)
        (s1, zp1), (s2, zp2) = (d["quantization"] for d in inputs)
        s_out, zp_out = out["quantization"]
        x1, x2 = (v.reshape(-1).astype(int).tolist() for v in values)
        requantization = oracle.add_requantization(s1, s2, s_out)
        lo = zp_out if relu else -128
        expected = oracle.add(x1, x2, zp1, zp2, requantization, zp_out, lo, 127)
        same = sum(int(e == t) for e, t in zip(expected, y.astype(int).tolist()))
        print(f"case {k}: inputs {names}, scales {s1:.6g}/{zp1}, {s2:.6g}/{zp2} -> {s_out:.6g}/{zp_out}"
              f"{' relu' if relu else ''}; factors {requantization}; oracle = TFLite on {same} of 65536")
        if same != 65536:
            print("FAIL: the oracle differs from TFLite's reference ADD", file=sys.stderr)
            return 1
        cases.append(dict(scales=[np.float32(s).view(np.uint32).item() for s in (s1, s2, s_out)],
                          zeroPoints=[int(zp1), int(zp2), int(zp_out)], clamp=[int(lo), 127],
                          crc32=zlib.crc32(y.astype(np.int8).tobytes()), first=(y[:32].astype(np.int64) & 0xFF).tolist()))
    text = json.dumps({"generator": "tools/peers/tflite_add_reference.py", "tensorflow": tf.__version__,
                       "inputs": "every pair: input 1 = -128 + i / 256, input 2 = -128 + i % 256, i < 65536",
                       "cases": cases}, separators=(",", ":")) + "\n"
    if args.check:
        same = os.path.exists(OUT) and open(OUT).read() == text
        print("tflite-add.json " + ("matches" if same else "differs"))
        return 0 if same else 1
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT, ROOT)}; TFLite {tf.__version__} BUILTIN_REF ADD = oracle on {len(cases)} x 65536 inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
