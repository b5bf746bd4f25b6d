# What the import scripts of firmware-model/real/ share (import-age-gender.sh, import-blazeface.sh;
# docs/model-import.md "The real models"): sourced by them after `set -euo pipefail`, with their
# arguments. Sets root, facelyzr (the first argument, default .build/release/facelyzr: a debug
# build quantizes BlazeFace for most of an hour), out (firmware-model/real) and the calibration and
# evaluation counts (CALIBRATION_COUNT, default 1000; EVALUATION_COUNT, default 2000), and defines
# notice and quantize. The models are imported from a temporary directory, so the model cards name
# the files without this machine's paths; the blobs and cards are moved to $out once written.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
facelyzr="$(realpath "${1:-$root/.build/release/facelyzr}")"
out="$root/firmware-model/real"
calibration="${CALIBRATION_COUNT:-1000}"
evaluation="${EVALUATION_COUNT:-2000}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

notice() {  # FILE NAME: the model's licence notice, as NAME beside the blobs
    cp "$1" "$out/$2"
}

quantize() {  # MODEL NAME [import-model options]: MODEL quantized into $out/NAME.blob and its card
    local model="$1" name="$2"
    shift 2
    cp "$model" "$work/"
    (cd "$work" && "$facelyzr" import-model "$(basename "$model")" "$@" --blob "$name.blob" \
        --calibration-count "$calibration" --evaluation-count "$evaluation" --quiet)
    mv "$work/$name.blob" "$work/$name.card.json" "$work/$name.card.md" "$out/"
}
