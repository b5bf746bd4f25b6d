#!/usr/bin/env bash
# Imports and quantizes BlazeFace short-range (face_detection_short_range.tflite of the mediapipe
# 0.10.14 wheel, Apache-2.0) into firmware-model/real/blazeface.blob: fetches the wheel from PyPI
# and checks the SHA-256 of the model and its licence (fetch-blazeface.sh), then
# `facelyzr import-model --blob` calibrates it on whole synthetic scenes (the scene generator's
# calibration split at 128x128; never the LFW subset or scikit-image's photographs, which are
# evaluation-only), with each depthwise convolution equalised into the pointwise one that reads
# it (--equalization, docs/quantization.md "Cross-layer equalisation"), and writes the blob and
# its model card, with the wheel's Apache-2.0 licence beside them (real-models.sh).
# docs/model-import.md "TFLite".
#
#   tools/model-import/import-blazeface.sh [FACELYZR]     # default .build/release/facelyzr
#
# Heads (docs/model-import.md "Detector heads"): the four 1x1 convolutions become per-place raw
# heads named after the model's outputs, in its output order: regressors[0..<512],
# regressors[512..<896], classificators[0..<512], classificators[512..<896] (the 896 anchors' 16
# box and keypoint values and their score logits); tools/peers/blazeface_anchors.py decodes them.
set -euo pipefail
# Fewer scenes than the face nets' 1,000 and 2,000: a 128x128 scene costs the float graph 16 times
# a 32x32 face. The agreement with TFLite is measured on other scenes (docs/model-import.md "TFLite").
export CALIBRATION_COUNT="${CALIBRATION_COUNT:-400}" EVALUATION_COUNT="${EVALUATION_COUNT:-200}"
source "$(dirname "$0")/real-models.sh"
models="${FACELYZR_MEDIAPIPE_DIR:-$HOME/.cache/facelyzr/mediapipe-0.10.14}"

bash "$root/tools/model-import/fetch-blazeface.sh" "$models"
notice "$models/LICENSE" LICENSE-mediapipe-Apache-2.0.txt
# MediaPipe's preprocessing for this model: RGB, (pixel - 127.5) / 127.5.
quantize "$models/face_detection_short_range.tflite" blazeface --mean 127.5 --scale 0.0078431373 --calibration scenes \
    --equalization
