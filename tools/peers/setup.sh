#!/usr/bin/env bash
# Creates .venv-peers/ (gitignored, kept out of CI) with the peers Facelyzr is compared with:
# ONNX Runtime (speed, quantize_static), LiteRT (TFLite interpreter with XNNPACK), TensorFlow (its
# TFLite converter, and tf.keras for the trainer speed comparison), Pillow (reads the PNG faces
# of `facelyzr synth`), scikit-image (its photographs and LFW subset make the semi-real detection
# benchmark) and OpenCV (its Haar and LBP face cascades, the detection peers). Versions are pinned
# so the tables in docs/benchmarks.md, docs/quantization.md, docs/training.md and
# docs/detection-data.md are reproducible.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x .venv-peers/bin/python ]; then
    python3 -m venv .venv-peers
fi
.venv-peers/bin/python -m pip install --quiet --upgrade pip
.venv-peers/bin/python -m pip install --quiet \
    numpy onnx==1.23.2 onnxruntime==1.32.0 ai-edge-litert==2.3.0 tensorflow-cpu==2.21.0 pillow==13.0.0 \
    scikit-image==0.26.0 opencv-python-headless==4.14.0.94
