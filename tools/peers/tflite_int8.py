"""TFLite post-training full-integer quantization, as the peer scripts here ask for it."""
import contextlib
import io


def full_integer_tflite(model, representative_dataset, per_channel=True):
    """The .tflite bytes of the Keras `model` through TFLite's converter: int8 ops only, int8
    input and output, activation ranges from `representative_dataset` (a function yielding
    lists of input arrays, as the TFLite documentation shows); `per_channel=False` asks for
    per-tensor weights (the converter's only switch for it is a private one)."""
    import tensorflow as tf
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    if not per_channel:
        converter._experimental_disable_per_channel = True
    with contextlib.redirect_stdout(io.StringIO()):  # the Keras export's "Saved artifact ..." lines
        return converter.convert()
