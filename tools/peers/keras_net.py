"""A Facelyzr architecture (the JSON in a checkpoint's metadata, or `facelyzr train
--print-architecture`) as a tf.keras model, for the TensorFlow peers: TFLite post-training int8
(quantization_drift.py) and the trainer speed comparison (trainer_speed.py).

Layouts follow docs/training.md: NHWC activations, TensorFlow's `same`/`valid` padding, 2x2
pools with stride 2 (`valid`), dense layers over the HWC-flattened input, the input normalised
as `(pixel - 128) / 128`. Layer `encoder.<i>` / `heads.<name>.<i>` of the architecture is the
Keras layer `encoder_<i>` / `heads_<name>_<i>` (Keras names cannot hold dots). Outputs are the
heads' raw outputs, in the architecture's head order (a regression head's unit-scale output
unless its scale and offset were folded into the weights, see `set_checkpoint_weights`).
"""


def build(arch, tf):
    """The architecture as a functional `tf.keras.Model` (dropout layers included: they only
    act when called with `training=True`)."""
    keras = tf.keras
    x = inputs = keras.Input((arch["inputHeight"], arch["inputWidth"], arch["inputChannels"]), name="input")

    def stack(specs, prefix, x):
        for i, spec in enumerate(specs):
            name, kind = f"{prefix}_{i}", spec["kind"]
            activation = {"none": None, "relu": "relu", "relu6": tf.nn.relu6}[spec.get("activation", "none")]
            if kind == "conv2d":
                x = keras.layers.Conv2D(spec["filters"], spec["kernel"], strides=spec.get("stride", 1),
                                        padding=spec.get("padding", "same"), activation=activation, name=name)(x)
            elif kind == "maxPool2x2":
                x = keras.layers.MaxPooling2D(2, 2, padding="valid", name=name)(x)
            elif kind == "averagePool2x2":
                x = keras.layers.AveragePooling2D(2, 2, padding="valid", name=name)(x)
            elif kind == "globalAveragePool":
                x = keras.layers.GlobalAveragePooling2D(name=name)(x)
            elif kind == "dense":
                if len(x.shape) > 2:
                    x = keras.layers.Flatten(name=f"{name}_flatten")(x)
                x = keras.layers.Dense(spec["units"], activation=activation, name=name)(x)
            elif kind == "dropout":
                x = keras.layers.Dropout(spec["rate"], name=name)(x)
            else:
                raise ValueError(f"layer {name}: kind {kind} has no Keras counterpart here")
        return x

    features = stack(arch["encoder"], "encoder", x)
    def units(head):  # an expected-value head has one output per bin (docs/training.md "Losses")
        return len(head["bins"]) if head["task"] == "expectedValue" else len(head["labels"])

    outputs = [stack(head["hidden"] + [{"kind": "dense", "units": units(head)}], f"heads_{head['name']}", features)
               for head in arch["heads"]]
    return keras.Model(inputs, outputs, name="facelyzr")


def set_checkpoint_weights(model, arch, tensors, fold_regression=True):
    """Loads a Facelyzr checkpoint's tensors (conv OHWI -> HWIO, dense [out][in] -> [in][out]).
    With `fold_regression`, a regression head's `raw * outputScale + outputOffset` is folded into
    its last layer, as the Swift quantizer and the ONNX export do, so that output is in years."""
    def load(specs, prefix, head=None):
        for i, spec in enumerate(specs):
            if spec["kind"] not in ("conv2d", "dense"):
                continue
            w, b = tensors[f"{prefix}.{i}.weight"], tensors[f"{prefix}.{i}.bias"]
            if fold_regression and head is not None and head["task"] == "regression" and i == len(specs) - 1:
                w, b = w * head["outputScale"], b * head["outputScale"] + head["outputOffset"]
            kernel = w.transpose(1, 2, 3, 0) if spec["kind"] == "conv2d" else w.T
            model.get_layer(prefix.replace(".", "_") + f"_{i}").set_weights([kernel, b])

    load(arch["encoder"], "encoder")
    for head in arch["heads"]:
        load(head["hidden"] + [{"kind": "dense"}], f"heads.{head['name']}", head)
