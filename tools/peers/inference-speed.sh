#!/usr/bin/env bash
# Facelyzr vs ONNX Runtime vs LiteRT (XNNPACK) on the default model, one thread, one run; writes
# the table into docs/benchmarks.md ("Peers"). Not part of CI (needs PyPI and about 2 GB).
# Usage: bash tools/peers/inference-speed.sh [--rounds N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/peers/setup.sh
swift build -c release --product facelyzr >/dev/null
.venv-peers/bin/python tools/peers/inference_speed.py --write-docs docs/benchmarks.md "$@"
