#!/usr/bin/env bash
# Instructions per inference of the Embedded Swift aarch64 builds on the default model
# (RandomEncoder) under qemu-aarch64 -cpu cortex-a72 (Pi 4: the ARMv8.0 build) and cortex-a76
# (Pi 5: that build and the ARMv8.2 dot-product build, tools/embedded/build.sh aarch64-dotprod),
# and the size of the aarch64 objects. Counted as DESIGN.md describes, (count for 3 inferences - count
# for 1) / 2, over the whole process (libc calls made during inference included); the count
# comes from `-d nochain,exec,in_asm` (each executed block's length, tools/embedded/count_tb.py),
# which gives exactly the `-singlestep -d nochain,exec` line count at a fraction of the log.
# Instruction counts, not latencies. Usage: bash tools/embedded/count-instructions.sh [--write-docs]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/embedded/build.sh aarch64 aarch64-dotprod >/dev/null
swift build -c release --product facelyzr >/dev/null
blob=.build-embedded/random-encoder-64.fzb
.build/release/facelyzr bench --save-model "$blob" >/dev/null
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
count() {  # CPU BUILD RUNS
    qemu-aarch64 -cpu "$1" -d nochain,exec,in_asm -D /dev/fd/3 ".build-embedded/$2/count" "$blob" "$3" \
        3>&1 >/dev/null | python3 tools/embedded/count_tb.py
}
lines=("| CPU | build | instructions, 1 inference run | 3 runs | per inference ((3 - 1) / 2) |" "|---|---|---|---|---|")
for run in "cortex-a72 aarch64" "cortex-a76 aarch64" "cortex-a76 aarch64-dotprod"; do
    read -r cpu build <<<"$run"
    one=$(count "$cpu" "$build" 1)
    three=$(count "$cpu" "$build" 3)
    lines+=("| $cpu | $build | $one | $three | $(( (three - one) / 2 )) |")
done
sizes=$(cd .build-embedded/aarch64 && aarch64-linux-gnu-size FacelyzrRuntime.o FacelyzrCAPI.o |
        awk 'NR > 1 {printf "%s%s: text %d, data %d, bss %d bytes", sep, $6, $1, $2, $3; sep = "; "}')
lines+=("" "aarch64 Embedded objects (aarch64-linux-gnu-size): $sizes." "qemu: $(qemu-aarch64 --version | head -1).")
printf '%s\n' "${lines[@]}"
if [ "${1:-}" = --write-docs ]; then
    python3 - docs/benchmarks.md "$(printf '%s\n' "${lines[@]}")" <<'PY'
import os, sys
path, text = sys.argv[1], sys.argv[2]
doc = open(path).read()
begin, end = "<!-- isa:begin (tools/embedded/count-instructions.sh) -->", "<!-- isa:end -->"
doc = doc[:doc.index(begin) + len(begin)] + "\n" + text + "\n" + doc[doc.index(end):]
open(path + ".tmp", "w").write(doc)
os.replace(path + ".tmp", path)
PY
fi
