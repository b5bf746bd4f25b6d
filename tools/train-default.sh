#!/bin/sh
# The default model's recipe (docs/training.md "Recipe"): trains Architecture.standard on the
# synthetic default, then scores it on 10,000 held-out synthetic test faces.
#   tools/train-default.sh [OUT_DIR]      (default: out/default-model)
# Writes OUT_DIR/model.safetensors, OUT_DIR/train.log, OUT_DIR/eval.json and OUT_DIR/plots/. Re-running it
# resumes an interrupted run from its checkpoint (same options), and rescoring is cheap.
set -eu
out=${1:-out/default-model}
mkdir -p "$out"
# FACELYZR_SCRATCH: another SwiftPM scratch path (build directory) than .build.
scratch=${FACELYZR_SCRATCH:+--scratch-path $FACELYZR_SCRATCH}
swift build -c release --product facelyzr $scratch >&2
bin=$(swift build -c release --show-bin-path $scratch)/facelyzr
ckpt="$out/model.safetensors"
resume=""
[ -f "$ckpt" ] && resume="--resume $ckpt"
start=$(date +%s)
# Random initialisation: SDAE pre-training did not beat it on these faces (see "SDAE versus
# random initialisation"). 200,000 distinct training faces: each batch is mostly fresh faces.
"$bin" train --output "$ckpt" $resume \
    --data-seed 0 --train-count 200000 --test-count 0 \
    --seed 1 --batch-size 32 --pretrain-steps 0 \
    --steps 5000 --learning-rate 0.004 --weight-decay 1e-4 \
    --threads 1 --checkpoint-every 500 --log-every 100 --plots "$out/plots" | tee -a "$out/train.log"
"$bin" eval "$ckpt" --data synthetic --data-seed 0 --count 10000 --threads 1 --report "$out/eval.json" | tee -a "$out/train.log"
echo "recipe took $(( $(date +%s) - start )) s (training and scoring)" | tee -a "$out/train.log"
