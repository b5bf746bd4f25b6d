#!/usr/bin/env bash
# Facelyzr's localiser vs OpenCV's Haar and LBP frontal-face cascades on the semi-real scenes
# (scikit-image photographs with LFW-subset faces; evaluation only), one thread, one run:
# AP at IoU 0.5 and 0.3, recall, precision, boxes per face, false boxes per face-free scene and
# median time per frame (docs/detection-data.md "Semi-real benchmark"). Not part of CI (needs PyPI
# for .venv-peers and Debian's opencv-data).
#
# Usage: bash tools/peers/detection-accuracy.sh [FACELYZR] [-- detection_accuracy.py options]
#   FACELYZR defaults to .build/release/facelyzr, built here. Writes out/semi-real/ (the scenes,
#   if not there) and out/detection-accuracy.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
facelyzr=.build/release/facelyzr
if [ $# -gt 0 ] && [ "$1" != "--" ]; then facelyzr="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
if [ "$facelyzr" = .build/release/facelyzr ]; then swift build -c release --product facelyzr >/dev/null; fi
bash tools/peers/setup.sh
if [ ! -f /usr/share/opencv4/lbpcascades/lbpcascade_frontalface.xml ]; then
    apt-get install -y -q opencv-data >/dev/null
fi
if [ ! -f out/semi-real/truth.json ]; then
    .venv-peers/bin/python tools/detection/semi_real_scenes.py --out out/semi-real --count 200 --seed 0
fi
.venv-peers/bin/python tools/peers/detection_accuracy.py --scenes out/semi-real --facelyzr "$facelyzr" \
    --json out/detection-accuracy.json "$@"
