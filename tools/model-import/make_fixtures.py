"""Writes the ONNX test fixtures of FacelyzrModelImportTests (a few KB each) and ONNX Runtime's
outputs on them, with the pinned onnx and onnxruntime of tools/model-import/setup.sh:

  chain.onnx        conv(valid)+BatchNormalization+Relu, MaxPool, conv(same)+Mul+Add (affine)+Relu,
                    AveragePool, Mul by a scalar, Flatten, Gemm+Relu, Gemm, Softmax over 2 classes:
                    everything folds and the whole graph maps to the quantizer's float graph
  residual.onnx     conv+BatchNormalization, PRelu, conv, residual Add, Relu, channel and spatial
                    Pad, AveragePool with ceil_mode, GlobalAveragePool, Gemm, Softmax over 3: ops
                    the quantizer cannot take yet
  residual-add.onnx two residual blocks the quantizer takes: conv+BatchNormalization+Relu, conv+Relu,
                    conv, Add of it and the first conv's output, Relu; MaxPool; conv+Mul+Add, Add
                    of it and the pool's output, Relu; GlobalAveragePool, Gemm, Softmax over 2
                    (16x16 RGB); its ONNX Runtime outputs in expected-residual-add.json
  branching.onnx    the age net's shapes in small (18x18 RGB, means not 128): conv 7x7 pads 3 +
                    BatchNormalization + Relu, MaxPool 3x3/2; a downsampling block whose shortcut
                    is AveragePool 2x2/2 + channel Pad and whose main branch is conv 3x3/2 valid +
                    Relu, conv 3x3 + affine, spatial Pad after it; Add, Relu; conv 3x3 with pads
                    [0, 0, 1, 1] (neither same nor valid); GlobalAveragePool, Gemm, Softmax over 3;
                    its ONNX Runtime outputs in expected-branching.json
  expected.json     for each of the first two: the preprocessing, a few 8-bit RGB images and ONNX
                    Runtime's outputs on them (graph optimisations off)
  one file per typed error: garbage.onnx (not a protobuf), unsupported-op.onnx (Tanh),
  dynamic-shape.onnx (symbolic height), opset-out-of-range.onnx (opset 9), cycle.onnx,
  missing-initializer.onnx, external-data.onnx (a weight stored outside the file)

Usage: .venv-onnx/bin/python tools/model-import/make_fixtures.py   (from tools/model-import/setup.sh)
"""
import json
import os

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "FacelyzrModelImportTests", "Fixtures")
rng = np.random.default_rng(16)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def normal(*shape, scale=0.5):
    return rng.normal(0, scale, shape).astype(np.float32)


def batch_norm(prefix, channels, x, out):
    inits = [
        init(prefix + "_gamma", rng.uniform(0.5, 1.5, channels)),
        init(prefix + "_beta", normal(channels, scale=0.2)),
        init(prefix + "_mean", normal(channels, scale=0.2)),
        init(prefix + "_var", rng.uniform(0.5, 2.0, channels)),
    ]
    node = helper.make_node("BatchNormalization", [x] + [i.name for i in inits], [out], name=prefix, epsilon=1e-3)
    return node, inits


def model(nodes, inits, input_shape, outputs, opset=18):
    graph = helper.make_graph(
        nodes, "fixture", [helper.make_tensor_value_info("images", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape) for name, shape in outputs.items()], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="facelyzr-fixtures")
    m.ir_version = 10
    return m


def chain():
    nodes, inits = [], []
    inits += [init("c1_w", normal(4, 3, 3, 3)), init("c1_b", normal(4, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["images", "c1_w", "c1_b"], ["c1"], name="conv1", kernel_shape=[3, 3]))
    bn, bn_inits = batch_norm("bn1", 4, "c1", "bn1")
    nodes.append(bn)
    inits += bn_inits
    nodes.append(helper.make_node("Relu", ["bn1"], ["r1"], name="relu1"))
    nodes.append(helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]))
    inits += [init("c2_w", normal(6, 4, 3, 3)), init("c2_b", normal(6, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["p1", "c2_w", "c2_b"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    inits += [init("s2", rng.uniform(0.5, 1.5, (1, 6, 1, 1))), init("t2", normal(1, 6, 1, 1, scale=0.2))]
    nodes.append(helper.make_node("Mul", ["c2", "s2"], ["m2"], name="affine2_scale"))
    nodes.append(helper.make_node("Add", ["m2", "t2"], ["a2"], name="affine2_offset"))
    nodes.append(helper.make_node("Relu", ["a2"], ["r2"], name="relu2"))
    nodes.append(helper.make_node("AveragePool", ["r2"], ["p2"], name="pool2", kernel_shape=[2, 2], strides=[2, 2]))
    inits.append(init("k", [0.75]))
    nodes.append(helper.make_node("Mul", ["p2", "k"], ["m3"], name="scalar"))
    nodes.append(helper.make_node("Flatten", ["m3"], ["f"], name="flatten", axis=1))
    inits += [init("fc1_w", normal(5, 24)), init("fc1_b", normal(5, scale=0.1))]
    nodes.append(helper.make_node("Gemm", ["f", "fc1_w", "fc1_b"], ["fc1"], name="fc1", transB=1))
    nodes.append(helper.make_node("Relu", ["fc1"], ["r3"], name="relu3"))
    inits += [init("fc2_w", normal(5, 2)), init("fc2_b", normal(2, scale=0.1))]
    nodes.append(helper.make_node("Gemm", ["r3", "fc2_w", "fc2_b"], ["logits"], name="fc2"))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1))
    return model(nodes, inits, ["N", 3, 10, 10], {"probabilities": ["N", 2]})


def residual():
    nodes, inits = [], []
    inits += [init("c1_w", normal(4, 3, 3, 3)), init("c1_b", normal(4, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["images", "c1_w", "c1_b"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    bn, bn_inits = batch_norm("bn1", 4, "c1", "bn1")
    nodes.append(bn)
    inits += bn_inits
    inits.append(init("slope", rng.uniform(0.05, 0.3, (4, 1, 1))))
    nodes.append(helper.make_node("PRelu", ["bn1", "slope"], ["a"], name="prelu1"))
    inits += [init("c2_w", normal(4, 4, 3, 3)), init("c2_b", normal(4, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["a", "c2_w", "c2_b"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Add", ["c2", "a"], ["sum"], name="residual_add"))
    nodes.append(helper.make_node("Relu", ["sum"], ["r"], name="relu"))
    inits.append(numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 2, 1, 1], dtype=np.int64), "pads"))
    nodes.append(helper.make_node("Pad", ["r", "pads"], ["padded"], name="pad", mode="constant"))
    nodes.append(helper.make_node("AveragePool", ["padded"], ["pooled"], name="pool_ceil", kernel_shape=[2, 2], strides=[2, 2],
                                  ceil_mode=1))
    nodes.append(helper.make_node("GlobalAveragePool", ["pooled"], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["f"], name="flatten"))
    inits += [init("fc_w", normal(3, 6)), init("fc_b", normal(3, scale=0.1))]
    nodes.append(helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1))
    return model(nodes, inits, ["N", 3, 8, 8], {"probabilities": ["N", 3]})


def residual_add():
    nodes, inits = [], []
    inits += [init("c1_w", normal(8, 3, 3, 3, scale=0.3)), init("c1_b", normal(8, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["images", "c1_w", "c1_b"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    bn, bn_inits = batch_norm("bn1", 8, "c1", "bn1")
    nodes.append(bn)
    inits += bn_inits
    nodes.append(helper.make_node("Relu", ["bn1"], ["a"], name="relu1"))
    inits += [init("c2_w", normal(8, 8, 3, 3, scale=0.15)), init("c2_b", normal(8, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["a", "c2_w", "c2_b"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2"))
    inits += [init("c3_w", normal(8, 8, 3, 3, scale=0.15)), init("c3_b", normal(8, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["r2", "c3_w", "c3_b"], ["c3"], name="conv3", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Add", ["c3", "a"], ["s1"], name="block1_add"))
    nodes.append(helper.make_node("Relu", ["s1"], ["b1"], name="block1_relu"))
    nodes.append(helper.make_node("MaxPool", ["b1"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]))
    inits += [init("c4_w", normal(8, 8, 3, 3, scale=0.15)), init("c4_b", normal(8, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["p", "c4_w", "c4_b"], ["c4"], name="conv4", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    inits += [init("s4", rng.uniform(0.5, 1.5, (1, 8, 1, 1))), init("t4", normal(1, 8, 1, 1, scale=0.2))]
    nodes.append(helper.make_node("Mul", ["c4", "s4"], ["m4"], name="affine4_scale"))
    nodes.append(helper.make_node("Add", ["m4", "t4"], ["d"], name="affine4_offset"))
    nodes.append(helper.make_node("Add", ["p", "d"], ["s2"], name="block2_add"))
    nodes.append(helper.make_node("Relu", ["s2"], ["b2"], name="block2_relu"))
    nodes.append(helper.make_node("GlobalAveragePool", ["b2"], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["f"], name="flatten"))
    inits += [init("fc_w", normal(2, 8)), init("fc_b", normal(2, scale=0.1))]
    nodes.append(helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1))
    return model(nodes, inits, ["N", 3, 16, 16], {"probabilities": ["N", 2]})


def branching():
    nodes, inits = [], []
    inits += [init("c1_w", normal(8, 3, 7, 7, scale=0.1)), init("c1_b", normal(8, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["images", "c1_w", "c1_b"], ["c1"], name="conv7x7", kernel_shape=[7, 7], pads=[3, 3, 3, 3]))
    bn, bn_inits = batch_norm("bn1", 8, "c1", "bn1")
    nodes.append(bn)
    inits += bn_inits
    nodes.append(helper.make_node("Relu", ["bn1"], ["a"], name="relu1"))
    nodes.append(helper.make_node("MaxPool", ["a"], ["p"], name="maxpool3x3", kernel_shape=[3, 3], strides=[2, 2]))
    # Main branch: 8x8x8 -> conv 3x3/2 valid -> 3x3x12 -> conv 3x3 same + affine -> pad to 4x4.
    inits += [init("c2_w", normal(12, 8, 3, 3, scale=0.15)), init("c2_b", normal(12, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["p", "c2_w", "c2_b"], ["c2"], name="down_conv", kernel_shape=[3, 3], strides=[2, 2]))
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="down_relu"))
    inits += [init("c3_w", normal(12, 12, 3, 3, scale=0.15)), init("c3_b", normal(12, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["r2", "c3_w", "c3_b"], ["c3"], name="main_conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    inits += [init("s3", rng.uniform(0.5, 1.5, (1, 12, 1, 1))), init("t3", normal(1, 12, 1, 1, scale=0.2))]
    nodes.append(helper.make_node("Mul", ["c3", "s3"], ["m3"], name="main_scale"))
    nodes.append(helper.make_node("Add", ["m3", "t3"], ["d3"], name="main_offset"))
    inits += [numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, 1, 1], dtype=np.int64), "main_pads")]
    nodes.append(helper.make_node("Pad", ["d3", "main_pads"], ["main"], name="main_pad", mode="constant"))
    # Shortcut: 8x8x8 -> average pool 2x2/2 -> 4x4x8 -> 4 channels of zeros after.
    nodes.append(helper.make_node("AveragePool", ["p"], ["ap"], name="shortcut_pool", kernel_shape=[2, 2], strides=[2, 2]))
    inits += [numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 4, 0, 0], dtype=np.int64), "shortcut_pads")]
    nodes.append(helper.make_node("Pad", ["ap", "shortcut_pads"], ["shortcut"], name="shortcut_pad", mode="constant"))
    nodes.append(helper.make_node("Add", ["shortcut", "main"], ["s"], name="block_add"))
    nodes.append(helper.make_node("Relu", ["s"], ["b"], name="block_relu"))
    inits += [init("c4_w", normal(6, 12, 3, 3, scale=0.15)), init("c4_b", normal(6, scale=0.1))]
    nodes.append(helper.make_node("Conv", ["b", "c4_w", "c4_b"], ["c4"], name="odd_pads_conv", kernel_shape=[3, 3], pads=[0, 0, 1, 1]))
    nodes.append(helper.make_node("GlobalAveragePool", ["c4"], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["f"], name="flatten"))
    inits += [init("fc_w", normal(3, 6)), init("fc_b", normal(3, scale=0.1))]
    nodes.append(helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1))
    return model(nodes, inits, ["N", 3, 18, 18], {"probabilities": ["N", 3]})


def expected(m, size, preprocessing, count=4):
    """ONNX Runtime's outputs on `count` random 8-bit RGB images, preprocessed as the model expects."""
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = onnxruntime.InferenceSession(m.SerializeToString(), options, providers=["CPUExecutionProvider"])
    pixels = rng.integers(0, 256, (count, size, size, 3), dtype=np.uint8)
    order = [2, 1, 0] if preprocessing["channelOrder"] == "bgr" else [0, 1, 2]
    x = (pixels[..., order].astype(np.float32) - np.float32(preprocessing["mean"])) * np.float32(preprocessing["scale"])
    outputs = session.run(None, {"images": np.ascontiguousarray(x.transpose(0, 3, 1, 2))})[0]
    return {"preprocessing": preprocessing, "pixels": pixels.reshape(count, -1).tolist(), "outputs": outputs.astype(float).tolist()}


def write(name, m):
    data = m.SerializeToString() if not isinstance(m, bytes) else m
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    return len(data)


def tiny(nodes, inits, input_shape=("N", 3, 4, 4), opset=18, output="y"):
    return model(nodes, inits, list(input_shape), {output: None}, opset)


def main():
    os.makedirs(OUT, exist_ok=True)
    sizes = {}
    chain_model, residual_model = chain(), residual()
    onnx.checker.check_model(chain_model, full_check=True)
    onnx.checker.check_model(residual_model, full_check=True)
    sizes["chain.onnx"] = write("chain.onnx", chain_model)
    sizes["residual.onnx"] = write("residual.onnx", residual_model)
    results = {
        "chain.onnx": expected(chain_model, 10, {"mean": [120.0, 110.0, 100.0], "scale": 1 / 255, "channelOrder": "bgr"}),
        "residual.onnx": expected(residual_model, 8, {"mean": [128.0, 128.0, 128.0], "scale": 1 / 128, "channelOrder": "rgb"}),
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")

    w = init("w", normal(2, 3, 1, 1))
    # Not a protobuf: field 7 (the graph) claims 4 GiB that the file does not have.
    sizes["garbage.onnx"] = write("garbage.onnx", b"\x3a\xff\xff\xff\xff\x0f\x00")
    sizes["unsupported-op.onnx"] = write("unsupported-op.onnx", tiny(
        [helper.make_node("Conv", ["images", "w"], ["c"], name="conv"), helper.make_node("Tanh", ["c"], ["y"], name="squash")], [w]))
    sizes["dynamic-shape.onnx"] = write("dynamic-shape.onnx", tiny(
        [helper.make_node("Conv", ["images", "w"], ["y"], name="conv")], [w], input_shape=("N", 3, "H", 4)))
    sizes["opset-out-of-range.onnx"] = write("opset-out-of-range.onnx", tiny(
        [helper.make_node("Conv", ["images", "w"], ["y"], name="conv")], [w], opset=9))
    sizes["cycle.onnx"] = write("cycle.onnx", tiny(
        [helper.make_node("Conv", ["images", "w"], ["c"], name="conv"),
         helper.make_node("Add", ["c", "z"], ["x"], name="loop_add"),
         helper.make_node("Relu", ["x"], ["y"], name="loop_relu"),
         helper.make_node("Relu", ["y"], ["z"], name="loop_back")], [w]))
    sizes["missing-initializer.onnx"] = write("missing-initializer.onnx", tiny(
        [helper.make_node("Conv", ["images", "w", "conv_bias"], ["y"], name="conv")], [w]))
    external = init("w", normal(2, 3, 1, 1))
    external.ClearField("raw_data")
    external.data_location = TensorProto.EXTERNAL
    external.external_data.add(key="location", value="weights.bin")
    sizes["external-data.onnx"] = write("external-data.onnx", tiny(
        [helper.make_node("Conv", ["images", "w"], ["y"], name="conv")], [external]))
    # Last, so the random draws of every fixture above stay what they were.
    residual_add_model = residual_add()
    onnx.checker.check_model(residual_add_model, full_check=True)
    sizes["residual-add.onnx"] = write("residual-add.onnx", residual_add_model)
    with open(os.path.join(OUT, "expected-residual-add.json"), "w") as f:
        json.dump({"residual-add.onnx": expected(
            residual_add_model, 16, {"mean": [128.0, 128.0, 128.0], "scale": 1 / 128, "channelOrder": "rgb"}, count=8)}, f, indent=1)
        f.write("\n")
    branching_model = branching()
    onnx.checker.check_model(branching_model, full_check=True)
    sizes["branching.onnx"] = write("branching.onnx", branching_model)
    with open(os.path.join(OUT, "expected-branching.json"), "w") as f:
        json.dump({"branching.onnx": expected(
            branching_model, 18, {"mean": [122.781998, 117.000999, 104.297997], "scale": 1 / 256, "channelOrder": "rgb"}, count=8)}, f, indent=1)
        f.write("\n")
    for name, size in sizes.items():
        print(f"wrote {name} ({size} bytes)")


if __name__ == "__main__":
    main()
