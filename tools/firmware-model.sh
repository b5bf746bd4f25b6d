#!/usr/bin/env bash
# `make firmware-model`: the shipped int8 model, reproducibly, from nothing but the synthetic
# face generator (docs/boards.md, firmware-model/README.md):
#
#   1. facelyzr train     the standard network (SDAE pre-training, then heads), one OpenBLAS
#                         thread so the run is bit-reproducible -> facelyzr.safetensors
#   2. facelyzr quantize  calibrated on the generator's calibration split, with bias correction
#                         (without it this model's gender accuracy dropped 0.39 pt on the 512
#                         card faces, past the 0.3 pt threshold; with it 0.20 pt), model card
#                         evaluated on the first 512 test faces -> facelyzr.blob, facelyzr.card.{json,md}
#   3. facelyzr golden    the first 512 test-split faces as raw bytes, their labels and the
#                         blob's int32 head outputs -> golden/
#   4. facelyzr drift     float vs int8 on the same 512 test faces -> drift.txt (the
#                         card's figures; the test suite checks the golden set's)
#
# Usage: tools/firmware-model.sh [FACELYZR] (default: .build/release/facelyzr, built here).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=firmware-model
facelyzr="${1:-}"
if [ -z "$facelyzr" ]; then
    swift build -c release --product facelyzr
    facelyzr=.build/release/facelyzr
fi

# The recipe (about 10-20 minutes on 2 shared cores; `time` prints the figure of this run).
time "$facelyzr" train --output "$out/facelyzr.safetensors" \
    --seed 1 --data-seed 0 --train-count 20000 --batch-size 32 \
    --pretrain-steps 300 --corruption masking --corruption-amount 0.25 \
    --steps 3000 --learning-rate 0.005 --weight-decay 0.0001 \
    --threads 1 --checkpoint-every 0 --test-count 2000 --log-every 250 2>&1 | tee "$out/train.log"
time "$facelyzr" quantize "$out/facelyzr.safetensors" --calibration synthetic \
    --calibration-count 1000 --evaluation-count 512 --bias-correction --out "$out/facelyzr.blob" --quiet
"$facelyzr" golden --model "$out/facelyzr.blob" --count 512 --out "$out/golden"
"$facelyzr" drift --float "$out/facelyzr.safetensors" --int8 "$out/facelyzr.blob" \
    --data synthetic --count 512 --quiet | tee "$out/drift.txt"
