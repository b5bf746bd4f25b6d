#!/usr/bin/env bash
# Training speed, Facelyzr vs TensorFlow (tf.keras) on the standard network, same faces, batch,
# optimiser and thread counts (1 and 2), for supervised training and SDAE pre-training of the
# first block, interleaved in one run; prints each run and the table of docs/training.md
# ("Speed"). Not part of CI (needs PyPI and about 2 GB); about 10 minutes with the default 3
# rounds on an idle 2-core machine.
# Usage: bash tools/peers/trainer-speed.sh [--rounds N] [--steps N] [--log-every N] [--faces N]
#        [--tasks supervised,sdae] [--threads 1,2]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/peers/setup.sh
swift build -c release --product facelyzr >/dev/null
TF_CPP_MIN_LOG_LEVEL=2 .venv-peers/bin/python tools/peers/trainer_speed.py "$@"
