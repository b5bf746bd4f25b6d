#!/usr/bin/env bash
# Creates .venv-peers/ (gitignored, kept out of CI) with the peer runtimes the speed comparison
# times against Facelyzr: ONNX Runtime, LiteRT (TFLite interpreter with XNNPACK) and TensorFlow
# (only for its TFLite converter). Versions are pinned so the table in docs/benchmarks.md is
# reproducible.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x .venv-peers/bin/python ]; then
    python3 -m venv .venv-peers
fi
.venv-peers/bin/pip install --quiet --upgrade pip
.venv-peers/bin/pip install --quiet \
    numpy onnx==1.23.2 onnxruntime==1.32.0 ai-edge-litert==2.3.0 tensorflow-cpu==2.21.0
