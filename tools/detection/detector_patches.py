#!/usr/bin/env python3
"""The localiser's training patches (docs/detection.md "The model"): face / not-face 24x24 gray
patches cut from photo scenes (tools/detection/photo_scenes.py), with hard negatives and other
datasets merged in, written as one Facelyzr dataset `facelyzr train --dataset` reads.

From each scene of each --scenes directory (its split is truth.json's), as ScenePatches cuts the
synthetic scenes (Sources/FacelyzrData/Scenes/ScenePatches.swift):
- 8 faces when it has any: a face's box (in turn) scaled by 0.88..1.13 and shifted by up to 1/12
  of its side (even ones), or by 0.85..1.18 and up to 1/6 (odd ones), what a window of the
  localiser near the face sees at window steps up to 8 (a third of the window) and scale step
  1.25; each carries its face box offset (the face's box relative to the patch's window, the
  target of the detector's box head: docs/detection.md "Box regression"), so the dataset is
  format version 2;
- 8 not-faces: even ones anywhere (side uniform in 28..240), odd ones near a face when there is one
  (shifted up to 0.8 of a face away and scaled 0.9..1.1, a part of it at 0.35..0.6, or the face
  with its surroundings at 1.8..2.6), every one with IoU < 0.35 with each face (200 tries);
- with --hard-model, in --hard-scenes scenes from --hard-from: every box `facelyzr detect --detector MODEL --json` finds
  (window step 4, threshold 0.5, suppression by IoU 0.3 without merging, whatever the defaults)
  with IoU < 0.3 with each face, as a not-face (bootstrapping on real photographs); --hard-only takes nothing else from the scenes, for a
  further round over the dataset of the round before (--include).
Boxes are clamped into the scene, area-resampled to 24x24 (tools/detection/imaging.py).
--include DATASET adds every record of another 24x24 gray dataset (the real negatives, the
synthetic scenes' patches) with its split. A patch's source ID names its scene (with the photo
scenes' --variation when it is not 1, so scenes of two variations may be mixed). PCG64 seeded by (--seed, split, scene index).

Usage: detector_patches.py --scenes DIR [--scenes DIR ...] [--include DATASET ...]
       [--hard-model BLOB [--hard-from 0] [--hard-scenes 1000] [--hard-only] --facelyzr BIN]
       --out DIR [--seed 0]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import fzds  # noqa: E402
import imaging  # noqa: E402

SIZE = 24
PER_SCENE = 8
SPLITS = ("train", "calibration", "test")
# The localiser settings of bootstrapping, pinned so that the shipped model does not depend on
# the localiser's defaults (which were chosen with it).
HARD_SETTINGS = ["--stride", "4", "--threshold", "0.5", "--overlap", "0.3", "--containment", "1", "--merge", "off"]


def iou(a, b):
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / (a[2] * a[3] + b[2] * b[3] - w * h)


def window(scene, box):
    """`box` (x, y, side) in whole pixels, shrunk to fit the scene and moved inside it."""
    height, width = scene.shape
    side = max(1, min(int(round(box[2])), width, height))
    return min(max(0, int(round(box[0]))), width - side), min(max(0, int(round(box[1]))), height - side), side


def cut(scene, box):
    """The patch of `window(scene, box)` at SIZE x SIZE."""
    x, y, side = window(scene, box)
    return imaging.resize(scene[y:y + side, x:x + side], SIZE, SIZE, "area")


def offset(win, face):
    """The face box offset (x, y, log scale) of `face` (x, y, side) seen through `win` (x, y, side):
    the centres' difference in window sides, and the log of the sides' ratio (FaceBoxOffset in
    Sources/FacelyzrData/FaceLabels.swift)."""
    (wx, wy, ws), (fx, fy, fs) = win, face
    return ((fx + fs / 2 - wx - ws / 2) / ws, (fy + fs / 2 - wy - ws / 2) / ws, np.log(fs / ws))


def sampled(rng, scene, faces):
    """(patch, is_face, kind, face box offset or None) of the scene's sampled patches."""
    height, width = scene.shape
    out = []
    for k in range(PER_SCENE if faces else 0):
        fx, fy, fs = faces[k % len(faces)]
        side = fs * (rng.uniform(0.88, 1.13) if k % 2 == 0 else rng.uniform(0.85, 1.18))
        shift = max(1.0, fs / (12 if k % 2 == 0 else 6))
        win = window(scene, (fx + (fs - side) / 2 + rng.uniform(-shift, shift),
                             fy + (fs - side) / 2 + rng.uniform(-shift, shift), side))
        out.append((cut(scene, win), 1, "face", offset(win, (fx, fy, fs))))
    negatives = 0
    for attempt in range(200):
        if negatives == PER_SCENE:
            break
        if negatives % 2 == 0 or not faces:
            side = rng.uniform(28, min(width, height))
            box = (rng.uniform(0, width - side), rng.uniform(0, height - side), side)
        else:
            fx, fy, fs = faces[int(rng.integers(len(faces)))]
            kind = int(rng.integers(3))
            scale = rng.uniform(0.9, 1.1) if kind == 0 else rng.uniform(0.35, 0.6) if kind == 1 else rng.uniform(1.8, 2.6)
            side = max(8.0, fs * scale)
            box = (fx + (fs - side) / 2 + rng.uniform(-0.8, 0.8) * fs, fy + (fs - side) / 2 + rng.uniform(-0.8, 0.8) * fs,
                   side)
        square = (box[0], box[1], box[2], box[2])
        if all(iou(square, (fx, fy, fs, fs)) < 0.35 for fx, fy, fs in faces):
            out.append((cut(scene, box), 0, "near" if negatives % 2 and faces else "any", None))
            negatives += 1
    return out


def hard(facelyzr, model, path, scene, faces):
    """Not-face patches of the boxes the model finds away from every face."""
    result = subprocess.run([facelyzr, "detect", path, "--json", "--detector", model, *HARD_SETTINGS], check=True,
                            capture_output=True, text=True)
    out = []
    for b in json.loads(result.stdout)["boxes"]:
        if all(iou((b["x"], b["y"], b["width"], b["height"]), (fx, fy, fs, fs)) < 0.3 for fx, fy, fs in faces):
            out.append((cut(scene, (b["x"], b["y"], (b["width"] + b["height"]) / 2)), 0, "hard", None))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", action="append", default=[], help="photo scenes directory (repeatable)")
    parser.add_argument("--include", action="append", default=[], help="dataset directory to merge (repeatable)")
    parser.add_argument("--hard-model", help="add the boxes this detector blob finds away from the faces")
    parser.add_argument("--hard-from", type=int, default=0, help="first scene of each directory searched")
    parser.add_argument("--hard-scenes", type=int, default=1000, help="scenes of each directory searched")
    parser.add_argument("--hard-only", action="store_true", help="take only hard negatives from the scenes "
                        "(a further bootstrapping round over a dataset given with --include)")
    parser.add_argument("--facelyzr", default=".build/release/facelyzr")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    pixels, is_face, face_box, split, source = [], [], [], [], []
    unknown = (np.nan, np.nan, np.nan)
    counts = {}
    for directory in args.scenes:
        meta = json.load(open(os.path.join(directory, "truth.json")))
        s = SPLITS.index(meta["split"])
        variation = f"-variation{meta['variation']}" if "variation" in meta else ""
        for index, scene_record in enumerate(meta["scenes"]):
            if args.hard_only and not args.hard_from <= index < args.hard_from + args.hard_scenes:
                continue
            path = os.path.join(directory, scene_record["file"])
            scene = np.asarray(Image.open(path).convert("L"))
            faces = [(f["x"], f["y"], f["width"]) for f in scene_record["faces"]]
            rng = np.random.Generator(np.random.PCG64([args.seed, s, index]))
            found = [] if args.hard_only else sampled(rng, scene, faces)
            if args.hard_model and args.hard_from <= index < args.hard_from + args.hard_scenes:
                found += hard(args.facelyzr, args.hard_model, path, scene, faces)
            for number, (patch, face, kind, box) in enumerate(found):
                pixels.append(patch[..., None])
                is_face.append(face)
                face_box.append(unknown if box is None else box)
                split.append(s)
                source.append(f"photo-scenes/v{meta['version']}{variation}/seed{meta['seed']}/{meta['split']}/{index}/"
                              f"{kind}{number}")
                counts[kind] = counts.get(kind, 0) + 1
    for directory in args.include:
        dataset = fzds.read(os.path.join(directory, "samples.fzds"))
        if (dataset["width"], dataset["height"], dataset["channels"]) != (SIZE, SIZE, 1):
            sys.exit(f"detector_patches.py: {directory} is not {SIZE}x{SIZE} gray")
        known = ~np.isnan(dataset["is_face"])
        pixels += list(dataset["pixels"][known])
        is_face += list(dataset["is_face"][known].astype(int))
        face_box += list(dataset["face_box"][known])
        split += list(dataset["split"][known])
        source += [s for s, k in zip(dataset["source_id"], known) if k]
        counts[directory] = int(known.sum())
    fzds.write_directory(args.out, {"pixels": np.stack(pixels), "is_face": np.asarray(is_face, np.float32),
                                    "face_box": np.asarray(face_box, np.float32),
                                    "split": split, "source_id": source}, "detector-patches")
    split = np.asarray(split)
    is_face = np.asarray(is_face)
    print(f"{args.out}: {len(pixels)} patches ({int(is_face.sum())} faces); "
          + ", ".join(f"{name} {int(np.sum(split == i))}" for i, name in enumerate(SPLITS)) + "; "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
