#!/usr/bin/env python3
"""Face localisation on the semi-real scenes (tools/detection/semi_real_scenes.py), Facelyzr next to
OpenCV's frontal-face cascades, in one run on the same PNGs (docs/detection-data.md
"Semi-real benchmark"). Evaluation only: nothing here trains or tunes anything.

- Facelyzr: `facelyzr detect SCENE --json` per scene (default settings unless --facelyzr-arg),
  its boxes and scores; its time is the `milliseconds` / `cpuMilliseconds` the command prints
  (the localiser alone: decoding and model loading are outside).
- OpenCV: Haar `haarcascade_frontalface_default.xml` (cv2.data.haarcascades) and the LBP cascades
  `lbpcascade_frontalface.xml` and `lbpcascade_frontalface_improved.xml` (Debian's opencv-data),
  `detectMultiScale3(scaleFactor=1.25 (Facelyzr's scale step), minNeighbors=3 (OpenCV's default),
  minSize=(28, 28) (Facelyzr's smallest face), outputRejectLevels=True)` on one thread
  (cv2.setNumThreads(1)). A cascade has no score: its boxes are ranked by the level weight
  (the sum of the last stage, the best window of a group), which is what AP needs; the boxes are
  those of detectMultiScale with the same settings. Time: thread CPU time and wall time of that
  call alone. Haar runs once more with OpenCV's own default scale factor, 1.1: with
  minNeighbors 3, a cascade's recall depends much on how many scales see a face.

Scoring, as `facelyzr detect-eval scenes` (Sources/facelyzr/DetectEval.swift) and
averagePrecision (Sources/FacelyzrDetection/DetectionMetrics.swift): in each scene, boxes best
score first, each matches the unmatched true face of highest IoU if that IoU >= t; AP is the area
under the precision-recall curve of the pooled boxes with precision made non-increasing from the
right (all-point interpolation). Recall and precision are those of all boxes returned at the
default operating point (Facelyzr's threshold 0.5; the cascades' minNeighbors 3) at IoU 0.5.
Recall is also given by face side (28-39, 40-59, 60-96 pixels). Boxes per true face: boxes in scenes with faces over their faces; false boxes per face-free
scene: boxes in face-free scenes over those scenes.

Usage: .venv-peers/bin/python tools/peers/detection_accuracy.py --scenes out/semi-real
       --facelyzr .build/release/facelyzr [--facelyzr-arg=--threshold=0.1 ...] [--json FILE] [--no-peers]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import cv2
import numpy as np
from PIL import Image

LBP_DIR = "/usr/share/opencv4/lbpcascades"
SCALE_STEP, MIN_NEIGHBOURS, MIN_FACE = 1.25, 3, 28
SIZE_BANDS = {"28-39": (28, 39), "40-59": (40, 59), "60-96": (60, 96)}  # face side in pixels


def iou(a, b):
    """IoU of (x, y, w, h) boxes, as DetectionBox.intersectionOverUnion."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def average_precision(detections, positives):
    """detections: (score, true positive) pooled over scenes; averagePrecision of DetectionMetrics.swift."""
    if positives == 0:
        return float("nan")
    ranked = sorted(detections, key=lambda d: -d[0])
    hits, precision, recall = 0, [], []
    for n, (_, hit) in enumerate(ranked):
        hits += hit
        precision.append(hits / (n + 1))
        recall.append(hits / positives)
    envelope, best = [0.0] * len(precision), 0.0
    for n in range(len(precision) - 1, -1, -1):
        best = max(best, precision[n])
        envelope[n] = best
    ap, previous = 0.0, 0.0
    for n in range(len(precision)):
        if recall[n] > previous:
            ap += (recall[n] - previous) * envelope[n]
            previous = recall[n]
    return ap


def match(boxes, faces, threshold):
    """boxes: [(x, y, w, h, score)] best first; returns [(score, matched)] as DetectEval does, and
    whether each face was matched."""
    matched = [False] * len(faces)
    out = []
    for box in boxes:
        best = None
        for f, face in enumerate(faces):
            if matched[f]:
                continue
            overlap = iou(box, face)
            if overlap >= threshold and overlap > (best[0] if best else 0):
                best = (overlap, f)
        if best:
            matched[best[1]] = True
        out.append((box[4], best is not None))
    return out, matched


def run_facelyzr(binary, extra, path):
    result = subprocess.run([binary, "detect", path, "--json", *extra], check=True, capture_output=True, text=True)
    output = json.loads(result.stdout)
    boxes = [(b["x"], b["y"], b["width"], b["height"], b["score"]) for b in output["boxes"]]
    return boxes, output["milliseconds"], output["cpuMilliseconds"]


def cascade_runner(path, scale_step):
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        sys.exit(f"detection_accuracy.py: cannot load {path}")

    def run(gray):
        wall, cpu = time.perf_counter(), time.thread_time()
        rects, _, weights = cascade.detectMultiScale3(gray, scaleFactor=scale_step, minNeighbors=MIN_NEIGHBOURS,
                                                      minSize=(MIN_FACE, MIN_FACE), outputRejectLevels=True)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        boxes = [(float(x), float(y), float(w), float(h), float(s))
                 for (x, y, w, h), s in zip(np.asarray(rects).reshape(-1, 4), np.asarray(weights).reshape(-1))]
        return sorted(boxes, key=lambda b: -b[4]), wall * 1000, cpu * 1000
    return run


def score(name, per_scene, truth):
    faces = sum(len(t["faces"]) for t in truth)
    row = {"detector": name}
    for threshold in (0.5, 0.3):
        detections, found = [], {band: [] for band in SIZE_BANDS}
        for boxes, scene in zip(per_scene["boxes"], truth):
            scored, matched = match(boxes, [(f["x"], f["y"], f["width"], f["height"]) for f in scene["faces"]],
                                    threshold)
            detections += scored
            for face, hit in zip(scene["faces"], matched):
                found[next(b for b, (low, high) in SIZE_BANDS.items() if low <= face["width"] <= high)].append(hit)
        row[f"ap_{threshold}"] = average_precision(detections, faces)
        if threshold == 0.5:
            hits = sum(hit for _, hit in detections)
            row["recall"] = hits / faces
            row["precision"] = hits / max(len(detections), 1)
            row["boxes"] = len(detections)
            row["recall_by_face_side"] = {band: sum(hits) / max(len(hits), 1) for band, hits in found.items()}
    with_faces = [len(b) for b, t in zip(per_scene["boxes"], truth) if t["faces"]]
    free = [len(b) for b, t in zip(per_scene["boxes"], truth) if not t["faces"]]
    row["boxes_per_face"] = sum(with_faces) / faces
    row["false_boxes_per_face_free_scene"] = sum(free) / max(len(free), 1)
    row["median_ms"] = statistics.median(per_scene["ms"])
    row["median_cpu_ms"] = statistics.median(per_scene["cpu_ms"])
    return row


def table(rows, truth):
    faces = sum(len(t["faces"]) for t in truth)
    free = sum(1 for t in truth if not t["faces"])
    lines = [f"{len(truth)} scenes ({faces} faces, {free} face-free scenes)", "",
             "| detector | AP@0.5 | AP@0.3 | recall | precision | boxes per true face | false boxes per face-free scene "
             "| median ms per frame (CPU / wall) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['detector']} | {r['ap_0.5']:.3f} | {r['ap_0.3']:.3f} | {r['recall']:.3f} | {r['precision']:.3f} "
                     f"| {r['boxes_per_face']:.2f} | {r['false_boxes_per_face_free_scene']:.2f} "
                     f"| {r['median_cpu_ms']:.1f} / {r['median_ms']:.1f} |")
    bands = {band: sum(1 for t in truth for f in t["faces"] if low <= f["width"] <= high)
             for band, (low, high) in SIZE_BANDS.items()}
    lines += ["", "Recall at IoU 0.5 by face side (pixels; faces):", "",
              "| detector | " + " | ".join(f"{band} ({n})" for band, n in bands.items()) + " |",
              "|---|" + "---|" * len(bands)]
    for r in rows:
        lines.append(f"| {r['detector']} | " + " | ".join(f"{v:.2f}" for v in r["recall_by_face_side"].values()) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", default="out/semi-real")
    parser.add_argument("--facelyzr", required=True, help="the facelyzr binary (build with -c release)")
    parser.add_argument("--facelyzr-arg", action="append", default=[], help="extra argument of `facelyzr detect`")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--no-peers", action="store_true",
                        help="score Facelyzr alone (the held-out photo scenes of tools/detection/photo_scenes.py)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    meta = json.load(open(os.path.join(args.scenes, "truth.json")))
    truth = meta["scenes"]
    paths = [os.path.join(args.scenes, t["file"]) for t in truth]
    grays = [np.asarray(Image.open(p).convert("L")) for p in paths]

    haar = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
    detectors = [("Facelyzr " + " ".join(["detect", *args.facelyzr_arg]).strip(),
                  lambda i: run_facelyzr(args.facelyzr, args.facelyzr_arg, paths[i]))]
    for name, path, step in [] if args.no_peers else [("Haar frontalface_default", haar, SCALE_STEP),
                             ("LBP frontalface", os.path.join(LBP_DIR, "lbpcascade_frontalface.xml"), SCALE_STEP),
                             ("LBP frontalface_improved", os.path.join(LBP_DIR, "lbpcascade_frontalface_improved.xml"),
                              SCALE_STEP),
                             ("Haar frontalface_default", haar, 1.1)]:
        runner = cascade_runner(path, step)
        detectors.append((f"OpenCV {name}, scale step {step}", lambda i, runner=runner: runner(grays[i])))
    rows = []
    for name, run in detectors:
        per_scene = {"boxes": [], "ms": [], "cpu_ms": []}
        for i in range(len(truth)):
            boxes, ms, cpu_ms = run(i)
            per_scene["boxes"].append(boxes)
            per_scene["ms"].append(ms)
            per_scene["cpu_ms"].append(cpu_ms)
        rows.append(score(name, per_scene, truth))
        print(f"{name}: done", file=sys.stderr)
    print(table(rows, truth))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"scenes": args.scenes, "scene_generator_version": meta["version"], "seed": meta["seed"],
                       "scikit_image": meta["scikit_image"], "opencv": cv2.__version__,
                       "settings": {"scale_step": SCALE_STEP, "min_neighbours": MIN_NEIGHBOURS, "min_face": MIN_FACE,
                                    "facelyzr_args": args.facelyzr_arg},
                       "rows": rows}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
