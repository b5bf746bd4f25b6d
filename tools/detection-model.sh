#!/usr/bin/env bash
# The shipped face / not-face model of the localiser, reproducibly, from nothing but the
# synthetic scene generator (docs/detection.md "The model"):
#
#   1. facelyzr scenes --patches   face / not-face 24x24 gray patches from 1,500 train scenes
#                                  (64 calibration and 64 test scenes) -> out/detector/patches
#   2. facelyzr train              tools/detection/face-24.json, one thread -> first.safetensors
#   3. facelyzr quantize           calibrated on the patches' calibration split -> first.blob
#   4. facelyzr scenes --hard-negatives first.blob: the same patches plus 150 further train
#                                  scenes, with every box first.blob finds away from the faces
#                                  as a not-face patch -> out/detector/patches-hard
#   5. facelyzr train, quantize    on those -> firmware-model/face-detector.blob (+ card)
#
# Usage: tools/detection-model.sh [FACELYZR] (default: .build/release/facelyzr, built here).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
facelyzr="${1:-}"
if [ -z "$facelyzr" ]; then
    swift build -c release --product facelyzr
    facelyzr=.build/release/facelyzr
fi
work=out/detector
mkdir -p "$work"
scenes=(--train-scenes 1500 --calibration-scenes 64 --test-scenes 64)
train() {  # train DATASET CHECKPOINT
    "$facelyzr" train --dataset "$1" --architecture tools/detection/face-24.json --pretrain-steps 0 \
        --steps 3000 --batch-size 64 --learning-rate 0.005 --weight-decay 0.0001 --seed 1 \
        --threads 1 --checkpoint-every 0 --log-every 500 --output "$2" 2>&1 | tail -n 3
}
"$facelyzr" scenes --patches "$work/patches" "${scenes[@]}"
train "$work/patches" "$work/first.safetensors"
"$facelyzr" quantize "$work/first.safetensors" --calibration "$work/patches" --calibration-count 1000 \
    --evaluation-count 0 --bias-correction off --out "$work/first.blob" --quiet
time "$facelyzr" scenes --patches "$work/patches-hard" "${scenes[@]}" --hard-negatives "$work/first.blob" --hard-scenes 150
train "$work/patches-hard" "$work/face-detector.safetensors"
"$facelyzr" quantize "$work/face-detector.safetensors" --calibration "$work/patches-hard" --calibration-count 1000 \
    --evaluation-count 0 --bias-correction off --out firmware-model/face-detector.blob --quiet
