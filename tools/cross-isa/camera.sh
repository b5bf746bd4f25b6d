#!/usr/bin/env bash
# The detection runner across ISAs (done-when 1 of the camera path): synthetic scene frames
# (tools/embedded/camera-frames.sh: 320x240 and 640x480, gray8 and yuv420p) go through
# `facelyzr-run MODEL --detect DETECTOR --raw` (the shipped models) built as Embedded Swift by
# tools/embedded/build.sh for x86-64 (natively), aarch64 (qemu-aarch64 -cpu cortex-a72) and
# armv7 (qemu-arm), and through the host's `facelyzr stream --raw` (ordinary Swift, the same
# options); the JSON lines (boxes, scores, predictions and each face's int32 outputs) must be
# identical byte for byte, and name at least one face, so the identity is not that of empty
# lists. The runners split each frame across threads (--threads: 2 on x86-64 and armv7, 4 on
# aarch64, a Pi 4's cores) while `facelyzr stream` detects in one, so the check also holds
# the threaded split to the one-thread path. The qemu runs take about 1.6 s of CPU for a 320x240 frame and 6 s for a 640x480 one on
# aarch64 (15 s and 60 s when every window was a separate inference): one frame of each kind.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/.build-embedded"
for isa in x86_64 aarch64 armv7; do
    [ -x "$out/$isa/facelyzr-run" ] || bash tools/embedded/build.sh "$isa"
done
frames=$(bash tools/embedded/camera-frames.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A runner=(
    [x86_64]=""
    [aarch64]="qemu-aarch64 -cpu cortex-a72 -L /usr/aarch64-linux-gnu"
    [armv7]="qemu-arm -L /usr/arm-linux-gnueabihf"
)
declare -A threads=([x86_64]=2 [aarch64]=4 [armv7]=2)
stream="$(swift build --show-bin-path)/facelyzr stream --model firmware-model/facelyzr.blob --detector firmware-model/face-detector.blob"
run() {  # isa (or host): every frame file through that ISA's runner (or facelyzr stream), into $work/ISA.jsonl
    local isa=$1 file name command
    for file in "$frames"/320x240-gray8.raw "$frames"/320x240-yuv420p.raw "$frames"/640x480-gray8.raw "$frames"/640x480-yuv420p.raw; do
        name=$(basename "$file" .raw)
        command=$stream
        if [ "$isa" != host ]; then
            command="${runner[$isa]} $out/$isa/facelyzr-run firmware-model/facelyzr.blob --detect firmware-model/face-detector.blob"
            command+=" --threads ${threads[$isa]}"
        fi
        # shellcheck disable=SC2086  # the runner is a command with arguments
        $command --frame-size "${name%-*}" --format "${name#*-}" --raw "$file" | sed "s/^/$name /"
    done > "$work/$isa.jsonl"
}
# The two qemu runs side by side (two cores), x86-64 and the host meanwhile.
run aarch64 & aarch64=$!
run armv7 & armv7=$!
run x86_64
run host
wait "$aarch64" && wait "$armv7" || { echo "camera cross-ISA: a qemu run failed" >&2; exit 1; }

faces=$({ grep -o '"box"' "$work/x86_64.jsonl" || true; } | wc -l)  # 0 must reach the check below
status=0
for isa in aarch64 armv7 host; do
    if ! cmp -s "$work/x86_64.jsonl" "$work/$isa.jsonl"; then
        echo "camera cross-ISA: $isa differs from x86_64:" >&2
        diff "$work/x86_64.jsonl" "$work/$isa.jsonl" | cut -c1-300 | head -6 >&2
        status=1
    fi
done
lines=$(wc -l < "$work/x86_64.jsonl")
((lines == 4)) || { echo "camera cross-ISA: $lines JSON lines for 4 frames" >&2; status=1; }
((faces > 0)) || { echo "camera cross-ISA: no face found in any frame" >&2; status=1; }
if ((status == 0)); then
    echo "camera cross-ISA: PASS: facelyzr-run --detect on 4 frames (320x240, 640x480; gray8, yuv420p), $faces faces:" \
         "JSON identical on x86_64 (2 threads), aarch64 (cortex-a72, 4 threads) and armv7 (qemu, 2 threads)," \
         "and to the host's facelyzr stream (1 thread)"
fi
exit $status
