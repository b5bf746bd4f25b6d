"""BlazeFace short-range's host-side decoding and the int8-vs-float anchor agreement of issue 16
(docs/model-import.md "TFLite"): the 896 SSD anchors and the box decoding of MediaPipe's
face_detection_short_range graph (SsdAnchorsCalculator: 4 layers, strides 8, 16, 16, 16, fixed
anchor size, offset 0.5, interpolated aspect ratio 1: 2 anchors per cell of the 16x16 grid, then
6 per cell of the 8x8 grid; TensorsToDetectionsCalculator: 16 coordinates per anchor (box x, y,
w, h, then 6 keypoints), x/y/w/h scales 128, sigmoid scores of logits clipped to +-100, threshold
0.5). The model's input is RGB in [-1, 1]: (pixel - 127.5) / 127.5.

    python blazeface_anchors.py MODEL.tflite FRAMES.rgb [INT8.npz]

FRAMES.rgb is raw 128x128 RGB frames back to back (`facelyzr scenes --frames FRAMES.rgb
--frame-size 128x128 --format rgb24 --count N`). The float model runs in TensorFlow's TFLite
interpreter; with INT8.npz (arrays `regressors` [N, 896, 16] and `classificators` [N, 896, 1] of
an int8 model on the same frames, dequantised) it prints the agreement: the share of anchors
whose decision (score > 0.5) agrees, and the largest box-corner difference in pixels at 128x128
over the anchors both call faces.
"""
import sys

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
    """(share of anchors with the same decision, largest box difference in px over anchors both call faces, faces in float)."""
    fs, fb = decode(*float_outputs)
    qs, qb = decode(*int8_outputs)
    fd, qd = fs > 0.5, qs > 0.5
    both = fd & qd
    box = float(np.abs(fb - qb)[both].max()) if both.any() else 0.0
    return float((fd == qd).mean()), box, int(fd.sum())


def float_outputs(model, frames):
    from tensorflow.lite.python.interpreter import Interpreter

    interpreter = Interpreter(model_path=model)
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


def main(model, frames_path, int8_path=None):
    frames = np.fromfile(frames_path, dtype=np.uint8).reshape(-1, SIZE, SIZE, 3)
    reference = float_outputs(model, frames)
    scores, boxes = decode(*reference)
    faces = scores > 0.5
    print(f"{len(frames)} frames: float anchors over 0.5: {int(faces.sum())} of {faces.size}, "
          f"frames with one or more: {int(faces.any(axis=1).sum())}, highest score {scores.max():.3f}")
    for n in range(min(3, len(frames))):
        best = int(scores[n].argmax())
        print(f"frame {n}: best anchor {best} score {scores[n, best]:.3f} box {np.round(boxes[n, best], 1).tolist()}")
    if int8_path:
        q = np.load(int8_path)
        share, box, count = agreement(reference, (q["regressors"], q["classificators"]))
        print(f"int8 vs float: decisions agree on {100 * share:.2f}% of anchors ({count} float faces), "
              f"largest box difference {box:.2f} px at 128x128")


if __name__ == "__main__":
    main(*sys.argv[1:])
