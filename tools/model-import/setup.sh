#!/usr/bin/env bash
# Creates .venv-onnx/ (gitignored, not used by CI) with the pinned onnx and onnxruntime that
# make_fixtures.py writes the test fixtures and their expected outputs with (the same versions as
# tools/peers/setup.sh, without its 2 GB of other peers).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x .venv-onnx/bin/python ]; then
    python3 -m venv .venv-onnx
fi
.venv-onnx/bin/python -m pip install --quiet numpy onnx==1.23.2 onnxruntime==1.32.0
