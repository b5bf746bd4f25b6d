"""Time per frame of Facelyzr's localiser and OpenCV's Haar and LBP frontal-face cascades, one
thread, interleaved in one run (issue 14 "Speed"; docs/benchmarks.md "Face detector per frame").

Frames: synthetic test scenes of `facelyzr scenes --frames` (0-3 faces in clutter), gray, at
320x240 and 640x480. Each round takes every frame in turn through Facelyzr (`facelyzr detect
--json --timing-runs RUNS`: the median thread CPU time of RUNS detections after a warm-up one, at
each window step of --steps: by default 8, the localiser's default, and 4 for comparison) and
through each cascade
(`detectMultiScale`, `cv2.setNumThreads(1)`, scaleFactor 1.25, minSize 28x28, minNeighbors 3; one
warm-up call, then the median thread CPU time of RUNS calls). Prints, per frame size, the median
over rounds and frames of each detector's time, and the ratio of Facelyzr at each step to each
detector.

    .venv-peers/bin/python tools/peers/detection_speed.py --facelyzr .build/release/facelyzr
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import cv2
import numpy as np

CASCADES = {
    "OpenCV Haar frontalface_default": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
    "OpenCV LBP frontalface": "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface.xml",
}


def facelyzr_ms(binary, png, runs, stride):
    result = subprocess.run([binary, "detect", png, "--json", "--timing-runs", str(runs), "--stride", str(stride)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)["cpuMilliseconds"]


def cascade_ms(cascade, gray, runs):
    def call():
        return cascade.detectMultiScale(gray, scaleFactor=1.25, minNeighbors=3, minSize=(28, 28))
    call()
    times = []
    for _ in range(runs):
        start = time.thread_time()
        call()
        times.append((time.thread_time() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facelyzr", default=".build/release/facelyzr")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--frames", type=int, default=4, help="scenes per frame size")
    parser.add_argument("--runs", type=int, default=5, help="timed calls per detector, frame and round")
    parser.add_argument("--steps", default="8,4", help="Facelyzr's window steps, comma-separated (default 8,4: "
                        "the localiser's default, then the step before it)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    cascades = {name: cv2.CascadeClassifier(path) for name, path in CASCADES.items()}
    sizes = [(320, 240), (640, 480)]
    steps = [int(step) for step in args.steps.split(",")]
    ours = [f"Facelyzr, window step {step}" for step in steps]
    detectors = ours + list(CASCADES)
    times = {(size, name): [] for size in sizes for name in detectors}
    with tempfile.TemporaryDirectory() as work:
        frames = {}
        for width, height in sizes:
            raw = os.path.join(work, f"{width}x{height}.raw")
            subprocess.run([args.facelyzr, "scenes", "--frames", raw, "--frame-size", f"{width}x{height}", "--format", "gray8",
                            "--count", str(args.frames)], check=True, capture_output=True)
            pixels = np.fromfile(raw, np.uint8).reshape(args.frames, height, width)
            frames[(width, height)] = []
            for i in range(args.frames):
                png = os.path.join(work, f"{width}x{height}-{i}.png")
                cv2.imwrite(png, pixels[i])
                frames[(width, height)].append((png, pixels[i]))
        for _ in range(args.rounds):
            for size in sizes:
                for png, gray in frames[size]:
                    for step, name in zip(steps, ours):
                        times[(size, name)].append(facelyzr_ms(args.facelyzr, png, args.runs, step))
                    for name, cascade in cascades.items():
                        times[(size, name)].append(cascade_ms(cascade, gray, args.runs))
    print(f"{args.rounds} rounds x {args.frames} frames per size, median of {args.runs} timed calls each; ms of thread CPU time")
    print("| frame | detector | median ms per frame | " + " | ".join(f"step {step} / this" for step in steps) + " |")
    print("|---|---|---|" + "---|" * len(steps))
    for size in sizes:
        medians = {name: statistics.median(times[(size, name)]) for name in detectors}
        for name in detectors:
            ratios = " | ".join(f"{medians[mine] / medians[name]:.2f}" for mine in ours)
            print(f"| {size[0]}x{size[1]} | {name} | {medians[name]:.2f} | {ratios} |")


if __name__ == "__main__":
    main()
