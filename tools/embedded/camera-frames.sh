#!/usr/bin/env bash
# The camera frames the detection runner's checks read, made by the synthetic scene generator
# (`facelyzr scenes --frames`, deterministic from the seed and the generator version) into
# .build-embedded/camera-frames/ rather than committed (1.6 MB):
#
#   SIZE-FORMAT.raw   for SIZE 320x240 and 640x480, FORMAT gray8 and yuv420p: one test-split
#                     scene each (1-3 faces), read by tools/cross-isa/camera.sh
#   alloc.raw         50 scenes of 128x96 yuv420p, read 20 times over by runner-check.sh's
#                     allocation count (1,000 frames)
#
# Usage: camera-frames.sh   (prints the directory)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
dir="$root/.build-embedded/camera-frames"
mkdir -p "$dir"
swift build --product facelyzr >/dev/null
facelyzr="$(swift build --show-bin-path)/facelyzr"
for size in 320x240 640x480; do
    for format in gray8 yuv420p; do
        "$facelyzr" scenes --frames "$dir/$size-$format.raw" --frame-size "$size" --format "$format" --count 1 >/dev/null
    done
done
"$facelyzr" scenes --frames "$dir/alloc.raw" --frame-size 128x96 --format yuv420p --count 50 >/dev/null
echo "$dir"
