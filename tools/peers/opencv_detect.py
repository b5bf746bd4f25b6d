"""Runs OpenCV frontal-face cascades on gray8 camera frames: every case (a cascade on a frame) is
loaded and gets one warm-up detectMultiScale call, then case INDEX gets N more calls. Made to be
counted under qemu-aarch64 in the arm64 tree of tools/peers/arm64-tree.sh by
tools/embedded/count-camera-instructions.sh: every run makes the same start-up, loads and warm-up
calls, so the count for N = 2 minus the count for N = 0, halved, is the instructions of one
detectMultiScale call of that case (Python's start-up, the imports, the frame reads, the cascade
loads and the warm-ups cancel out), and one N = 0 run serves every case.

Settings as close to the localiser's defaults (LocaliserConfiguration) as the API allows, as in
tools/peers/detection_accuracy.py: one thread, scaleFactor 1.25 (its scale step), minSize 28x28
(its smallest face), minNeighbors 3 (OpenCV's default; the localiser's non-maximum suppression has
no equivalent). The window step has no setting: OpenCV's is 2 pixels of the scaled image below
scale 2 and 1 from there (the localiser's is 2 at every level). Prints each case's boxes.

    python3 opencv_detect.py N INDEX CASCADE.xml:FRAME.raw:WIDTHxHEIGHT...
"""
import sys

import cv2
import numpy as np

runs, index = int(sys.argv[1]), int(sys.argv[2])
cv2.setNumThreads(1)
cascades, cases = {}, []
for case in sys.argv[3:]:
    cascade_path, frame_path, size = case.split(":")
    width, height = map(int, size.split("x"))
    if cascade_path not in cascades:
        cascades[cascade_path] = cv2.CascadeClassifier(cascade_path)
        if cascades[cascade_path].empty():
            sys.exit(f"opencv_detect: cannot load {cascade_path}")
    frame = np.fromfile(frame_path, np.uint8, count=width * height).reshape(height, width)
    cases.append((cascades[cascade_path], frame))


def detect(case):
    cascade, frame = case
    return cascade.detectMultiScale(frame, scaleFactor=1.25, minNeighbors=3, minSize=(28, 28))


found = [detect(case) for case in cases]
for _ in range(runs):
    detect(cases[index])
for case, faces in zip(sys.argv[3:], found):
    print(case, "faces", [list(map(int, f)) for f in faces])
