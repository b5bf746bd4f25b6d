#!/usr/bin/env bash
# The board runner's check (called by check.sh after build.sh, so part of `make test`):
#
# 1. The shipped model's golden inputs (firmware-model/golden/inputs.raw, 64x64 rgb24 frames)
#    go through facelyzr-run on x86-64, under qemu-aarch64 and under qemu-arm: the JSON lines
#    (predictions and --raw int32 outputs) must be identical, and the raw outputs must equal
#    the golden file's.
# 2. On x86-64, 1,024 frames through the allocation-counting runner with malloc-interposer
#    preloaded: zero heap allocations after the first frame; the positive control (one
#    allocation per frame) must be counted.
# 3. A short final frame ends the run with exit 0 and a message on stderr; a closed output
#    pipe ends it with exit 0.
# 4. `facelyzr export --format c-array` of the blob compiles, is 16-byte aligned and opens
#    (tools/embedded/c-array-check.c).
# 5. The detection mode (`--detect`, the shipped detector and model) on 1,000 synthetic scene
#    frames (50 scenes of 128x96 yuv420p read 20 times, tools/embedded/camera-frames.sh) through
#    the allocation-counting runner: zero heap allocations after the first frame, with the
#    positive control counted.
# 6. The detection mode's bad input, on x86-64 and under qemu-aarch64: a short last frame, a
#    frame size that does not match the stream's, an all-zero and an all-255 frame, one random
#    frame and 10,000 random frames in a row (deterministic bytes; 32x32 yuv420p so qemu takes
#    seconds): exit 0, a line for every whole frame, each short or blank frame named on stderr
#    with its index, nothing else on stderr; on x86-64 the 10,000 random frames allocate nothing
#    after the first and the peak resident memory stays within 512 kB of that of 100 frames; a closed output
#    pipe gives exit 0; a frame too small for any window, exit 2.
# 7. --threads: the 50 scene frames' JSON lines (--raw) are the same bytes with 1, 2 and 4
#    threads on x86-64 and with 1 and 4 under qemu-aarch64 (a cortex-a72, the Pi 4's core).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/.build-embedded"
blob=firmware-model/facelyzr.blob
frames=firmware-model/golden/inputs.raw
[ -x "$out/x86_64/facelyzr-run" ] || bash tools/embedded/build.sh aarch64 armv7 x86_64
fail() { echo "runner-check: FAIL: $*" >&2; exit 1; }

read -r width height channels count < <(python3 -c '
import json; m = json.load(open("firmware-model/golden/golden.json"))
print(m["width"], m["height"], m["channels"], m["count"])')
format=$([ "$channels" = 3 ] && echo rgb24 || echo gray8)
frame_bytes=$((width * height * channels))

declare -A runner=(
    [x86_64]=""
    [aarch64]="qemu-aarch64 -L /usr/aarch64-linux-gnu"
    [armv7]="qemu-arm -L /usr/arm-linux-gnueabihf"
)
for isa in x86_64 aarch64 armv7; do
    # shellcheck disable=SC2086  # the runner is a command with arguments
    ${runner[$isa]} "$out/$isa/facelyzr-run" "$blob" "$width" "$height" "$format" --raw < "$frames" > "$out/$isa/runner.jsonl"
done
lines=$(wc -l < "$out/x86_64/runner.jsonl")
((lines == count)) || fail "x86_64 printed $lines lines for $count frames"
for isa in aarch64 armv7; do
    cmp -s "$out/x86_64/runner.jsonl" "$out/$isa/runner.jsonl" ||
        fail "$isa JSON lines differ from x86_64: $(diff "$out/x86_64/runner.jsonl" "$out/$isa/runner.jsonl" | head -3)"
done
# The raw int32 outputs printed are the golden file's.
python3 - "$out/x86_64/runner.jsonl" firmware-model/golden/outputs.i32 <<'PY' || fail "raw outputs differ from golden/outputs.i32"
import json, struct, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
data = open(sys.argv[2], "rb").read()
golden = list(struct.unpack("<%di" % (len(data) // 4), data))
raw = [v for l in lines for v in l["raw"]]
sys.exit(0 if raw == golden else 1)
PY
echo "runner-check: JSON lines of $count golden frames identical on x86-64, aarch64 and armv7 (qemu); raw outputs equal golden/outputs.i32"

# Allocations per frame, counted after the first frame (1,024 frames: the golden set twice).
swift build --product facelyzr-alloc-probe >/dev/null
interposer="$(swift build --show-bin-path)/libMallocInterposerSwift.so"
count_run() {
    cat "$frames" "$frames" | env "$@" LD_PRELOAD="$interposer" "$out/x86_64/facelyzr-run-counting" \
        "$blob" "$width" "$height" "$format" 2>&1 >/dev/null | grep '^frames='
}
measured=$(count_run)
control=$(count_run FACELYZR_RUN_ALLOCATION_CONTROL=1)
echo "runner-check: runner: $measured; control: $control"
[[ "$measured" == "frames=$((2 * count)) allocations-after-first=0 frees-after-first=0" ]] || fail "the runner allocates per frame"
allocated=$(sed 's/.*allocations-after-first=\([0-9]*\).*/\1/' <<< "$control")
((allocated >= 2 * count - 1)) || fail "the control's allocations were not counted ($control)"

# A short final frame, and a closed output pipe.
message=$({ head -c $((frame_bytes * 2 + 100)) "$frames" | "$out/x86_64/facelyzr-run" "$blob" "$width" "$height" "$format" > /dev/null; } 2>&1) ||
    fail "a short final frame did not exit 0"
[[ "$message" == *"frame 2: short final frame (100 of $frame_bytes bytes) ignored"* ]] || fail "no short-frame message: $message"
set +o pipefail
"$out/x86_64/facelyzr-run" "$blob" "$width" "$height" "$format" < "$frames" | head -1 > /dev/null
status=${PIPESTATUS[0]}
set -o pipefail
((status == 0)) || fail "a closed output pipe gave exit $status"
# The blob compiled in as a C array.
swift build --product facelyzr >/dev/null
"$(swift build --show-bin-path)/facelyzr" export --format c-array "$blob" --out "$out/x86_64/blob.c"
gcc -std=c11 -O2 -Wall -Wextra -Werror -I Sources/FacelyzrCAPI/include tools/embedded/c-array-check.c \
    "$out/x86_64/blob.c" "$out/x86_64/libfacelyzr.a" -Wl,--gc-sections -o "$out/x86_64/c-array-check"
"$out/x86_64/c-array-check" || fail "the exported C array does not open"

# 5. The detection mode's allocations: 1,000 scene frames.
camera_frames=$(bash tools/embedded/camera-frames.sh)
detect=(firmware-model/facelyzr.blob --detect firmware-model/face-detector.blob)
count_detect() {  # threads, environment...
    local threads=$1
    shift
    for _ in $(seq 20); do cat "$camera_frames/alloc.raw"; done | env "$@" LD_PRELOAD="$interposer" \
        "$out/x86_64/facelyzr-run-counting" "${detect[@]}" --frame-size 128x96 --format yuv420p --threads "$threads" 2>&1 >/dev/null |
        grep '^frames='
}
for threads in 1 4; do
    measured=$(count_detect "$threads")
    control=$(count_detect "$threads" FACELYZR_RUN_ALLOCATION_CONTROL=1)
    echo "runner-check: --detect --threads $threads: $measured; control: $control"
    [[ "$measured" == "frames=1000 allocations-after-first=0 frees-after-first=0" ]] ||
        fail "the detection mode allocates per frame with $threads threads"
    allocated=$(sed 's/.*allocations-after-first=\([0-9]*\).*/\1/' <<< "$control")
    # This thread's control after frame 0, and each worker's of frames 1 to 998 (a worker's of
    # the first and of the last frame may come before the counting starts or after it ends).
    ((allocated >= 999 + 998 * (threads - 1))) || fail "the detection control's allocations were not counted with $threads threads ($control)"
done

# 6. Bad input to the detection mode.
bad="$out/bad-input"
mkdir -p "$bad"
python3 - "$bad" <<'PY'
import random, sys
d = sys.argv[1]
frame = 32 * 32 * 3 // 2  # 32x32 yuv420p
r = random.Random(15)
open(f"{d}/random.raw", "wb").write(r.randbytes(10_000 * frame))
# random frames, then a short last frame: 2 frames and 100 bytes
open(f"{d}/short.raw", "wb").write(r.randbytes(2 * frame + 100))
# random, all zero, random, all 255
open(f"{d}/blank.raw", "wb").write(r.randbytes(frame) + bytes(frame) + r.randbytes(frame) + b"\xff" * frame)
# a 40x40 stream (3 frames of 2400 bytes) read as 32x32 (1536 bytes): 4 frames and 1056 bytes
open(f"{d}/mismatch.raw", "wb").write(r.randbytes(3 * 40 * 40 * 3 // 2))
PY
frame_bytes=1536
bad_input() {  # isa, command...: the bad-input list through that ISA's runner
    local isa=$1
    shift
    local run=("$@" "${detect[@]}" --frame-size 32x32 --format yuv420p)
    "${run[@]}" "$bad/random.raw" > "$bad/$isa-random.jsonl" 2> "$bad/$isa-random.err" || fail "$isa: 10,000 random frames: exit $?"
    [ "$(wc -l < "$bad/$isa-random.jsonl")" = 10000 ] && [ ! -s "$bad/$isa-random.err" ] ||
        fail "$isa: 10,000 random frames gave $(wc -l < "$bad/$isa-random.jsonl") lines and stderr: $(head -2 "$bad/$isa-random.err")"
    "${run[@]}" < "$bad/short.raw" > "$bad/$isa-short.jsonl" 2> "$bad/$isa-short.err" || fail "$isa: short last frame: exit $?"
    [ "$(wc -l < "$bad/$isa-short.jsonl")" = 2 ] && [ "$(cat "$bad/$isa-short.err")" = \
        "facelyzr-run: frame 2: short final frame (100 of $frame_bytes bytes) ignored" ] || fail "$isa: short last frame: $(cat "$bad/$isa-short.err")"
    "${run[@]}" "$bad/blank.raw" > "$bad/$isa-blank.jsonl" 2> "$bad/$isa-blank.err" || fail "$isa: blank frames: exit $?"
    [ "$(wc -l < "$bad/$isa-blank.jsonl")" = 4 ] && [ "$(cat "$bad/$isa-blank.err")" = \
        "facelyzr-run: frame 1: blank (every byte 0)"$'\n'"facelyzr-run: frame 3: blank (every byte 255)" ] ||
        fail "$isa: blank frames: $(cat "$bad/$isa-blank.err")"
    "${run[@]}" - < "$bad/mismatch.raw" > "$bad/$isa-mismatch.jsonl" 2> "$bad/$isa-mismatch.err" || fail "$isa: mismatched size: exit $?"
    [ "$(wc -l < "$bad/$isa-mismatch.jsonl")" = 4 ] && [ "$(cat "$bad/$isa-mismatch.err")" = \
        "facelyzr-run: frame 4: short final frame (1056 of $frame_bytes bytes) ignored" ] || fail "$isa: mismatched size: $(cat "$bad/$isa-mismatch.err")"
    set +o pipefail
    "${run[@]}" "$bad/random.raw" 2>/dev/null | head -1 > /dev/null
    local status=${PIPESTATUS[0]}
    set -o pipefail
    ((status == 0)) || fail "$isa: a closed output pipe gave exit $status"
    local small=0
    "$@" "${detect[@]}" --frame-size 16x16 --format gray8 < /dev/null 2>/dev/null || small=$?
    ((small == 2)) || fail "$isa: a frame too small for any window gave exit $small, not 2"
}
bad_input x86_64 "$out/x86_64/facelyzr-run"
bad_input aarch64 qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/aarch64/facelyzr-run"
cmp -s "$bad/x86_64-random.jsonl" "$bad/aarch64-random.jsonl" || fail "the random frames' lines differ between x86_64 and aarch64"
faces=$({ grep -o '"box"' "$bad/x86_64-random.jsonl" || true; } | wc -l)  # grep fails on none under pipefail
random_allocations=$(LD_PRELOAD="$interposer" "$out/x86_64/facelyzr-run-counting" "${detect[@]}" --frame-size 32x32 --format yuv420p \
    "$bad/random.raw" 2>&1 >/dev/null | grep '^frames=')
[[ "$random_allocations" == "frames=10000 allocations-after-first=0 frees-after-first=0" ]] ||
    fail "10,000 random frames allocate: $random_allocations"
peak() { /usr/bin/time -f %M "$out/x86_64/facelyzr-run" "${detect[@]}" --frame-size 32x32 --format yuv420p 2>&1 >/dev/null; }
head -c $((100 * frame_bytes)) "$bad/random.raw" > "$bad/random-100.raw"
peak_100=$(peak < "$bad/random-100.raw")
peak_10000=$(peak < "$bad/random.raw")
# Within 512 kB (identical runs differ by up to 300 kB here): under 53 bytes a frame over 9,900 more
# frames; the allocation count above is the exact proof.
((peak_10000 <= peak_100 + 512)) || fail "peak resident memory grows: $peak_100 kB after 100 random frames, $peak_10000 kB after 10,000"
echo "runner-check: --detect bad input on x86_64 and aarch64 (qemu): short last frame, mismatched frame size, all-0 and all-255" \
     "frames reported with their index; 10,000 random frames ($faces faces found): exit 0, $random_allocations," \
     "peak RSS $peak_10000 kB (100 frames: $peak_100 kB); closed pipe exit 0; frame too small exit 2"
# 7. The same bytes for any number of threads.
threads_run() {  # isa threads command...: the 50 scene frames' lines
    local isa=$1 threads=$2
    shift 2
    "$@" "${detect[@]}" --frame-size 128x96 --format yuv420p --raw --threads "$threads" "$camera_frames/alloc.raw" \
        > "$bad/$isa-threads-$threads.jsonl" || fail "$isa --threads $threads: exit $?"
}
threads_run x86_64 1 "$out/x86_64/facelyzr-run"
threads_run x86_64 2 "$out/x86_64/facelyzr-run"
threads_run x86_64 4 "$out/x86_64/facelyzr-run"
threads_run aarch64 1 qemu-aarch64 -cpu cortex-a72 -L /usr/aarch64-linux-gnu "$out/aarch64/facelyzr-run"
threads_run aarch64 4 qemu-aarch64 -cpu cortex-a72 -L /usr/aarch64-linux-gnu "$out/aarch64/facelyzr-run"
for run in x86_64-threads-2 x86_64-threads-4 aarch64-threads-1 aarch64-threads-4; do
    cmp -s "$bad/x86_64-threads-1.jsonl" "$bad/$run.jsonl" ||
        fail "$run differs from x86_64 with 1 thread: $(diff "$bad/x86_64-threads-1.jsonl" "$bad/$run.jsonl" | cut -c1-200 | head -3)"
done
faces=$({ grep -o '"box"' "$bad/x86_64-threads-1.jsonl" || true; } | wc -l)
((faces > 0)) || fail "--threads: no face found in the scene frames"
echo "runner-check: --threads: 50 scene frames ($faces faces) print the same bytes with 1, 2 and 4 threads on x86_64" \
     "and with 1 and 4 on aarch64 (qemu cortex-a72)"
echo "runner-check: PASS"
