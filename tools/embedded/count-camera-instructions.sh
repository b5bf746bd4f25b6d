#!/usr/bin/env bash
# Instructions per camera frame under qemu-aarch64, Facelyzr against OpenCV's frontal-face
# cascades, in one run (issue 15): cortex-a72 (Pi 4) with the ARMv8.0 Embedded build and
# cortex-a76 (Pi 5) with the dot-product build (tools/embedded/build.sh aarch64 aarch64-dotprod),
# on the 640x480 and 320x240 gray8 frames of tools/embedded/camera-frames.sh (one synthetic scene
# each, 1-3 faces).
#
# - Facelyzr: the whole detect + describe, `facelyzr-run MODEL --detect DETECTOR` with the shipped
#   blobs and the localiser's defaults, every found face described; (3 copies of the frame - 1) / 2,
#   so start-up and blob loading cancel out.
# - OpenCV 4.14 (opencv-python-headless's aarch64 wheel, one thread) in the arm64 tree of
#   tools/peers/arm64-tree.sh: the detectMultiScale call only, LBP lbpcascade_frontalface.xml
#   (Debian's opencv-data) and Haar haarcascade_frontalface_default.xml (the wheel's cv2/data),
#   scale step 1.25, smallest face 28 (tools/peers/opencv_detect.py); per case, after loading
#   every case and one warm-up call each, (3 calls - 1 call) / 2.
#
# Whole processes are counted by tools/embedded/qemu-count.sh (the sum count-instructions.sh takes
# from qemu's exec log, from a plugin: a 640x480 frame is tens of billions of instructions).
# Instruction counts, not times. Takes about 10 minutes here; --write-docs makes the arm64 tree
# (network) and writes the table into docs/benchmarks.md. Not part of `make test`.
# Usage: bash tools/embedded/count-camera-instructions.sh [--write-docs]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/embedded/build.sh aarch64 aarch64-dotprod >/dev/null
frames=$(bash tools/embedded/camera-frames.sh)
if [ "${1:-}" = --write-docs ]; then bash tools/peers/arm64-tree.sh; fi
tree=.build-litert-aarch64/tree
[ -d "$tree/usr/lib/python3/dist-packages/cv2" ] || { echo "no arm64 tree: run with --write-docs (or tools/peers/arm64-tree.sh)" >&2; exit 1; }
work=.build-embedded/camera-count
mkdir -p "$work"
sizes=(640x480 320x240)
lbp=/usr/share/opencv4/lbpcascades/lbpcascade_frontalface.xml
haar=/usr/lib/python3/dist-packages/cv2/data/haarcascade_frontalface_default.xml
cases=()
for size in "${sizes[@]}"; do
    cat "$frames/$size-gray8.raw" "$frames/$size-gray8.raw" "$frames/$size-gray8.raw" >"$work/$size-gray8-x3.raw"
    cases+=("$lbp:$frames/$size-gray8.raw:$size" "$haar:$frames/$size-gray8.raw:$size")
done

# OpenCV, in the background while Facelyzr's frames run: case i, cpu -> "$work/opencv-CPU-i-N".
opencv() {
    for cpu in cortex-a72 cortex-a76; do
        for i in "${!cases[@]}"; do
            for n in 1 3; do
                bash tools/peers/python-count-aarch64.sh "$cpu" tools/peers/opencv_detect.py "$n" "$i" "${cases[@]}" >"$work/opencv-$cpu-$i-$n"
            done
        done
    done
    QEMU_LD_PREFIX=$tree qemu-aarch64 "$tree/usr/bin/python3.11" -B tools/peers/opencv_detect.py 0 0 "${cases[@]}" >"$work/opencv-faces"
}
opencv &
opencv_job=$!

detect=(firmware-model/facelyzr.blob --detect firmware-model/face-detector.blob --format gray8)
declare -A facelyzr=() faces=()
for run in "cortex-a72 aarch64" "cortex-a76 aarch64-dotprod"; do
    read -r cpu build <<<"$run"
    for size in "${sizes[@]}"; do
        bash tools/embedded/qemu-count.sh "$work/one" "$cpu" ".build-embedded/$build/facelyzr-run" "${detect[@]}" \
            --frame-size "$size" "$frames/$size-gray8.raw" >"$work/$build-$size.jsonl"
        bash tools/embedded/qemu-count.sh "$work/three" "$cpu" ".build-embedded/$build/facelyzr-run" "${detect[@]}" \
            --frame-size "$size" "$work/$size-gray8-x3.raw" >/dev/null
        facelyzr[$cpu-$size]=$(( ($(cat "$work/three") - $(cat "$work/one")) / 2 ))
        faces[$size]=$(grep -o '"box"' "$work/$build-$size.jsonl" | wc -l)
    done
done
wait "$opencv_job"

per_call() { echo $(( ($(cat "$work/opencv-$1-$2-3") - $(cat "$work/opencv-$1-$2-1")) / 2 )); }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
found() { sed -n "$(($1 + 1))p" "$work/opencv-faces" | grep -o '\[[0-9]*, [0-9]*, [0-9]*, [0-9]*\]' | wc -l; }
lines=("| frame | CPU | Facelyzr build | Facelyzr detect + describe per frame (faces) | OpenCV LBP detectMultiScale (faces) | OpenCV Haar detectMultiScale (faces) | Facelyzr / LBP | Facelyzr / Haar |"
       "|---|---|---|---|---|---|---|---|")
for s in "${!sizes[@]}"; do
    size=${sizes[$s]}
    for run in "cortex-a72 aarch64" "cortex-a76 aarch64-dotprod"; do
        read -r cpu build <<<"$run"
        ours=${facelyzr[$cpu-$size]}
        l=$(per_call "$cpu" $((2 * s))) h=$(per_call "$cpu" $((2 * s + 1)))
        lines+=("| $size | $cpu | $build | $ours (${faces[$size]}) | $l ($(found $((2 * s)))) | $h ($(found $((2 * s + 1)))) | $(ratio "$ours" "$l") | $(ratio "$ours" "$h") |")
    done
done
version() { sed -n 's/^Version: //p' "$tree"/usr/lib/python3/dist-packages/"$1"-*.dist-info/METADATA; }
lines+=("" "OpenCV: opencv-python-headless $(version opencv_python_headless), numpy $(version numpy), $(QEMU_LD_PREFIX=$tree qemu-aarch64 "$tree/usr/bin/python3.11" --version), LBP cascade from Debian 12's opencv-data $(zcat "$tree/usr/share/doc/opencv-data/changelog.Debian.gz" | sed -n '1s/.*(\(.*\)).*/\1/p'), in the arm64 tree of tools/peers/arm64-tree.sh."
        "qemu: $(qemu-aarch64 --version | head -1).")
printf '%s\n' "${lines[@]}"
if [ "${1:-}" = --write-docs ]; then
    printf '%s\n' "${lines[@]}" | python3 tools/benchmarks/write_section.py docs/benchmarks.md \
        "<!-- camera:begin (tools/embedded/count-camera-instructions.sh) -->" "<!-- camera:end -->"
fi
