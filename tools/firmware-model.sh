#!/usr/bin/env bash
# `make firmware-model`: the shipped int8 model, reproducibly, from nothing but the synthetic
# face generator (docs/boards.md, firmware-model/README.md):
#
#   1. tools/train-default.sh  the trainer's recipe (docs/training.md "Recipe"): Architecture.standard,
#                              5,000 steps, one OpenBLAS thread so the run is bit-reproducible, float
#                              scores on 10,000 test faces -> facelyzr.safetensors, train.log, eval.json.
#                              Its work directory (out/default-model) makes an interrupted run resume.
#   2. facelyzr quantize       calibrated on the first 1,000 faces of the generator's calibration split;
#                              method and bias correction `auto`, both chosen on those faces only; model
#                              card evaluated on the first 512 test faces -> facelyzr.blob, facelyzr.card.{json,md}
#   3. facelyzr golden         the first 512 test-split faces as raw bytes, their labels and the
#                              blob's int32 head outputs -> golden/
#   4. facelyzr drift          float vs int8 on the same 512 test faces -> drift.txt (the card's
#                              figures), and on 10,000 test faces -> drift-10000.txt (the quantizer's
#                              acceptance figures, docs/quantization.md)
#
# Usage: tools/firmware-model.sh [FACELYZR] (default: .build/release/facelyzr, built here).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=firmware-model
work=out/default-model
facelyzr="${1:-}"
if [ -z "$facelyzr" ]; then
    swift build -c release --product facelyzr
    facelyzr=.build/release/facelyzr
fi

start=$(date +%s)
sh tools/train-default.sh "$work"
cp "$work/model.safetensors" "$out/facelyzr.safetensors"
cp "$work/train.log" "$out/train.log"
cp "$work/eval.json" "$out/eval.json"
"$facelyzr" quantize "$out/facelyzr.safetensors" --calibration synthetic \
    --calibration-count 1000 --evaluation-count 512 --out "$out/facelyzr.blob" --quiet
"$facelyzr" golden --model "$out/facelyzr.blob" --count 512 --out "$out/golden"
"$facelyzr" drift --float "$out/facelyzr.safetensors" --int8 "$out/facelyzr.blob" \
    --data synthetic --count 512 --quiet | tee "$out/drift.txt"
"$facelyzr" drift --float "$out/facelyzr.safetensors" --int8 "$out/facelyzr.blob" \
    --data synthetic --count 10000 --max-gender-drop 0.3 --max-age-mae-increase 0.2 \
    --max-attribute-drop 0.5 --min-agreement 99.5 --quiet | tee "$out/drift-10000.txt"
echo "firmware model made in $(( $(date +%s) - start )) s"
