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
[[ "$message" == *"short final frame (100 of $frame_bytes bytes) ignored after 2 frames"* ]] || fail "no short-frame message: $message"
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
echo "runner-check: PASS"
