"""Writes the TFLite test fixtures of FacelyzrModelImportTests (a few KB each) and TFLite's
outputs on them, with TensorFlow's converter and interpreter (tools/peers/setup.sh's venv):

  blazeface-blocks.tflite  BlazeFace's ops in small (16x16 RGB, float16 weights behind DEQUANTIZE):
                    conv 5x5/2 SAME + RELU; a block: depthwise 3x3 SAME, conv 1x1, ADD of it and
                    the block input, RELU; a downsampling block: depthwise 3x3/2 SAME (pads 0
                    before, 1 after), conv 1x1, ADD of it and MAX_POOL 2x2/2 + channel PAD of the
                    block input, RELU; two levels of heads (conv 1x1) reshaped to [1, rows, width]
                    and concatenated: outputs `Identity` (scores) [1, 56, 1] and `Identity_1` (boxes) [1, 56, 4]
  expected-tflite.json     a few random inputs in [-1, 1] (HWC) and the interpreter's outputs
  tanh.tflite       one TANH after a conv (an op the importer refuses)
  int8.tflite       a conv quantized to int8 throughout (TFLite full-integer PTQ; a quantized
                    model, which the importer refuses: it reads float models)
  classifier.tflite a Keras-style classifier's ops (12x12 RGB, float32): conv 3x3 + LEAKY_RELU,
                    conv 3x3/2 + PRELU (a slope per channel); one head MEAN over height and width
                    (global average pool), FULLY_CONNECTED, SOFTMAX (`classes`, [1, 3]); the other
                    RESHAPE to [1, 216] (a flatten, HWC order), FULLY_CONNECTED + RELU,
                    FULLY_CONNECTED, LOGISTIC (`score`, [1, 1]); its cases in expected-tflite.json

Usage: /work/main/.venv-peers/bin/python tools/model-import/make_tflite_fixtures.py
"""
import json
import os

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "FacelyzrModelImportTests", "Fixtures")
rng = np.random.default_rng(16)


def normal(*shape, scale=0.4):
    return tf.constant(rng.normal(0, scale, shape).astype(np.float32))


def conv(x, cin, cout, k, stride=1):
    return tf.nn.conv2d(x, normal(k, k, cin, cout), stride, "SAME") + normal(cout, scale=0.1)


def depthwise(x, c, stride=1):
    return tf.nn.depthwise_conv2d(x, normal(3, 3, c, 1), [1, stride, stride, 1], "SAME") + normal(c, scale=0.1)


def blocks(x):
    a = tf.nn.relu(conv(x, 3, 8, 5, stride=2))                      # [8, 8, 8]
    a = tf.nn.relu(a + conv(depthwise(a, 8), 8, 8, 1))
    shortcut = tf.pad(tf.nn.max_pool2d(a, 2, 2, "VALID"), [[0, 0], [0, 0], [0, 0], [0, 4]])
    b = tf.nn.relu(shortcut + conv(depthwise(a, 8, stride=2), 8, 12, 1))  # [4, 4, 12]
    c = tf.nn.max_pool2d(b, 2, 2, "VALID")                           # [2, 2, 12]
    classificators = tf.concat([tf.reshape(conv(b, 12, 2, 1), [1, -1, 1]), tf.reshape(conv(c, 12, 6, 1), [1, -1, 1])], axis=1)
    regressors = tf.concat([tf.reshape(conv(b, 12, 8, 1), [1, -1, 4]), tf.reshape(conv(c, 12, 24, 1), [1, -1, 4])], axis=1)
    return {"classificators": classificators, "regressors": regressors}


def convert(function, float16):
    concrete = function.get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], function)
    if float16:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def write_with_cases(model, name, shape):
    """Writes `model` as fixture `name` and returns the interpreter's outputs on 3 random inputs
    in [-1, 1] of `shape` (HWC), each case `{"input": ..., OUTPUT: ...}` for expected-tflite.json."""
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(model)
    interpreter = tf.lite.Interpreter(model_content=model)
    interpreter.allocate_tensors()
    print(name, sorted({op["op_name"] for op in interpreter._get_ops_details()}))
    (input_detail,) = interpreter.get_input_details()
    outputs = {d["name"]: d for d in interpreter.get_output_details()}
    cases = []
    for _ in range(3):
        x = rng.uniform(-1, 1, (1, *shape)).astype(np.float32)
        interpreter.set_tensor(input_detail["index"], x)
        interpreter.invoke()
        result = {"input": [float(v) for v in x.reshape(-1)]}
        for output, detail in sorted(outputs.items()):
            result[output.split(":")[0]] = [float(v) for v in interpreter.get_tensor(detail["index"]).reshape(-1)]
        cases.append(result)
    print({n: list(d["shape"]) for n, d in outputs.items()})
    return cases


def main():
    spec = tf.TensorSpec([1, 16, 16, 3], tf.float32, name="input")
    expected = {"blazeface-blocks.tflite": write_with_cases(convert(tf.function(blocks, input_signature=[spec]), float16=True),
                                                            "blazeface-blocks.tflite", (16, 16, 3))}

    tanh = tf.function(lambda x: tf.math.tanh(conv(x, 3, 4, 3)), input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32, name="input")])
    with open(os.path.join(OUT, "tanh.tflite"), "wb") as f:
        f.write(convert(tanh, float16=False))

    # Written last, so the fixtures above keep their random draws.
    small = tf.function(lambda x: tf.nn.relu(conv(x, 3, 4, 3)), input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32, name="input")])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([small.get_concrete_function()], small)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([rng.uniform(-1, 1, (1, 8, 8, 3)).astype(np.float32)] for _ in range(8))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    with open(os.path.join(OUT, "int8.tflite"), "wb") as f:
        f.write(converter.convert())

    # Written after int8.tflite, so the fixtures above keep their random draws.
    slope = rng.uniform(0.05, 0.3, 6).astype(np.float32)
    w_classes, b_classes = normal(6, 3), normal(3, scale=0.1)
    w_hidden, b_hidden = normal(216, 8, scale=0.1), normal(8, scale=0.1)
    w_score, b_score = normal(8, 1), normal(1, scale=0.1)

    prelu = tf.keras.layers.PReLU(alpha_initializer=tf.constant_initializer(slope), shared_axes=[1, 2])
    prelu.build([1, 6, 6, 6])

    def classifier(x):
        a = tf.nn.leaky_relu(conv(x, 3, 6, 3), alpha=0.1)               # [12, 12, 6]
        c = prelu(conv(a, 6, 6, 3, stride=2))                             # [6, 6, 6]
        classes = tf.nn.softmax(tf.matmul(tf.reduce_mean(c, axis=[1, 2]), w_classes) + b_classes)
        hidden = tf.nn.relu(tf.matmul(tf.reshape(c, [1, -1]), w_hidden) + b_hidden)
        score = tf.math.sigmoid(tf.matmul(hidden, w_score) + b_score)
        return {"classes": classes, "score": score}

    model = convert(tf.function(classifier, input_signature=[tf.TensorSpec([1, 12, 12, 3], tf.float32, name="input")]), float16=False)
    expected["classifier.tflite"] = write_with_cases(model, "classifier.tflite", (12, 12, 3))
    with open(os.path.join(OUT, "expected-tflite.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
