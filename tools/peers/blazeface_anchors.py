"""BlazeFace short-range's host-side decoding and the int8-vs-float anchor agreement of issue 16
(docs/model-import.md "TFLite"): the 896 SSD anchors and the box decoding of MediaPipe's
face_detection_short_range graph (SsdAnchorsCalculator: 4 layers, strides 8, 16, 16, 16, fixed
anchor size, offset 0.5, interpolated aspect ratio 1: 2 anchors per cell of the 16x16 grid, then
6 per cell of the 8x8 grid; TensorsToDetectionsCalculator: 16 coordinates per anchor (box x, y,
w, h, then 6 keypoints), x/y/w/h scales 128, sigmoid scores of logits clipped to +-100, threshold
0.5). The model's input is RGB in [-1, 1]: (pixel - 127.5) / 127.5.

    python blazeface_anchors.py MODEL.tflite FRAMES.rgb [--blob BLOB --runner FACELYZR_RUN]

FRAMES.rgb is raw 128x128 RGB frames back to back (`facelyzr scenes --frames FRAMES.rgb
--frame-size 128x128 --format rgb24 --count N`). The float model runs in TensorFlow's TFLite
interpreter (reference kernels, no delegate). With --blob (firmware-model/real/blazeface.blob) the
int8 blob runs on the same frames in the board runner (FACELYZR_RUN: tools/embedded/build.sh's
.build-embedded/x86_64/facelyzr-run, over the C API), whose JSON lines give each head's real
outputs by head name: the blob's heads are named after the model's outputs and the rows they
hold (`regressors[0..<512]`, `classificators[512..<896]`, ...), in any order. It prints the
agreement: the share of anchors whose decision (score > 0.5) agrees, and the largest box-corner
difference in pixels at 128x128 over the anchors both call faces.

    python blazeface_anchors.py --frames-from DIR FRAMES.rgb

writes instead the frames of the PNG scenes DIR/scene-*.png (e.g. tools/detection/
semi_real_scenes.py's, evaluation only): each one's centred square, shrunk to 128x128 with area
resampling (Pillow's box filter), gray as RGB.
"""
import argparse
import json
import os
import re
import subprocess

import numpy as np

SIZE = 128


def anchors():
    """[896, 2] anchor centres in [0, 1], in the model's output order (fixed size: w = h = 1)."""
    centres = []
    for grid, per_cell in ((16, 2), (8, 6)):
        for y in range(grid):
            for x in range(grid):
                centres += [((x + 0.5) / grid, (y + 0.5) / grid)] * per_cell
    return np.array(centres, dtype=np.float64)


ANCHORS = anchors()


def decode(regressors, classificators):
    """Scores [N, 896] and boxes [N, 896, 4] (x_min, y_min, x_max, y_max in pixels at 128x128)."""
    r = np.asarray(regressors, dtype=np.float64).reshape(-1, 896, 16)
    logits = np.clip(np.asarray(classificators, dtype=np.float64).reshape(-1, 896), -100, 100)
    scores = 1 / (1 + np.exp(-logits))
    cx = r[..., 0] / SIZE + ANCHORS[:, 0]
    cy = r[..., 1] / SIZE + ANCHORS[:, 1]
    w, h = r[..., 2] / SIZE, r[..., 3] / SIZE
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1) * SIZE
    return scores, boxes


def agreement(float_outputs, int8_outputs):
    """Decisions (score > 0.5) of float and int8 per anchor, and the box differences (largest
    |corner difference| in px at 128x128) of the anchors both call faces."""
    fs, fb = decode(*float_outputs)
    qs, qb = decode(*int8_outputs)
    fd, qd = fs > 0.5, qs > 0.5
    both = fd & qd
    return {"anchors": fd.size, "agree": float((fd == qd).mean()), "float faces": int(fd.sum()), "int8 faces": int(qd.sum()),
            "both": int(both.sum()), "box differences": np.abs(fb - qb)[both].max(axis=-1)}


def float_outputs(model, frames):
    from tensorflow.lite.python.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(model_path=model, experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    (tin,) = interpreter.get_input_details()
    out = {d["name"]: d["index"] for d in interpreter.get_output_details()}
    regressors, classificators = [], []
    for frame in frames:
        interpreter.set_tensor(tin["index"], ((frame.astype(np.float32) - 127.5) / 127.5)[None])
        interpreter.invoke()
        regressors.append(interpreter.get_tensor(out["regressors"])[0])
        classificators.append(interpreter.get_tensor(out["classificators"])[0])
    return np.array(regressors), np.array(classificators)


HEAD = re.compile(r"^(\w+)\[(\d+)\.\.<(\d+)\]$")


def int8_outputs(runner, blob, frames_path, count):
    """The blob's regressors [N, 896, 16] and classificators [N, 896, 1], assembled by head name."""
    with open(frames_path, "rb") as frames:
        lines = subprocess.run([runner, blob, str(SIZE), str(SIZE), "rgb24"], stdin=frames, check=True,
                               capture_output=True, text=True).stdout.splitlines()
    assert len(lines) == count, f"{len(lines)} lines for {count} frames"
    tensors = {"regressors": np.zeros((count, 896, 16)), "classificators": np.zeros((count, 896, 1))}
    for n, line in enumerate(lines):
        # A per-place head's outputs repeat their labels at every place: keep the pairs in order.
        for key, value in json.loads(line, object_pairs_hook=list):
            match = HEAD.match(key)
            if not match:
                continue
            name, first, end = match.group(1), int(match.group(2)), int(match.group(3))
            values = np.array([v for _, v in value], dtype=np.float64)
            tensors[name][n, first:end] = values.reshape(end - first, -1)
    return tensors["regressors"], tensors["classificators"]


def write_frames(directory, path):
    from PIL import Image
    frames = []
    for name in sorted(f for f in os.listdir(directory) if f.startswith("scene-") and f.endswith(".png")):
        image = Image.open(os.path.join(directory, name)).convert("RGB")
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        frames.append(np.asarray(image.crop((left, top, left + side, top + side)).resize((SIZE, SIZE), Image.BOX)))
    np.array(frames, dtype=np.uint8).tofile(path)
    print(f"wrote {len(frames)} {SIZE}x{SIZE} RGB frames of {directory} to {path}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", nargs="?")
    parser.add_argument("frames")
    parser.add_argument("--blob")
    parser.add_argument("--runner")
    parser.add_argument("--frames-from")
    args = parser.parse_args()
    if args.frames_from:
        return write_frames(args.frames_from, args.frames)
    frames = np.fromfile(args.frames, dtype=np.uint8).reshape(-1, SIZE, SIZE, 3)
    reference = float_outputs(args.model, frames)
    scores, boxes = decode(*reference)
    faces = scores > 0.5
    print(f"{len(frames)} frames: float anchors over 0.5: {int(faces.sum())} of {faces.size}, "
          f"frames with one or more: {int(faces.any(axis=1).sum())}, highest score {scores.max():.3f}")
    if args.blob:
        int8 = int8_outputs(args.runner, args.blob, args.frames, len(frames))
        a = agreement(reference, int8)
        box = a["box differences"]
        print(f"int8 vs float: decisions agree on {100 * a['agree']:.3f}% of {a['anchors']} anchors ({a['float faces']} float faces, "
              f"{a['int8 faces']} int8, {a['both']} both); boxes of those {a['both']} within 1 px: {100 * (box <= 1).mean():.2f}%, "
              f"mean {box.mean():.3f} px, largest {box.max():.3f} px at 128x128")


if __name__ == "__main__":
    main()
