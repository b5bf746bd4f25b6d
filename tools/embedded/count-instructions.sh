#!/usr/bin/env bash
# Instructions per inference of the Embedded Swift aarch64 builds on the default model
# (RandomEncoder) under qemu-aarch64 -cpu cortex-a72 (Pi 4: the ARMv8.0 build) and cortex-a76
# (Pi 5: that build and the ARMv8.2 dot-product build, tools/embedded/build.sh aarch64-dotprod),
# and the size of the aarch64 objects. Counted as (count for 3 inferences - count for 1) / 2, so
# that start-up and model loading cancel out, over the whole process (libc calls made during
# inference included); the count comes from `-d nochain,exec,in_asm` (each executed block's length, tools/embedded/count_tb.py),
# which gives exactly the `-singlestep -d nochain,exec` line count at a fraction of the log.
# Instruction counts, not latencies. With the arm64 tree of tools/peers/arm64-tree.sh (--write-docs
# makes it, and .venv-peers for the converter), LiteRT 2.3.0 (XNNPACK, one thread) on the same
# model is counted the same way per CPU (tools/peers/python-count-aarch64.sh, tools/peers/litert_invoke.py: 1 warm-up invoke
# + 1 vs + 3) and the table gets its column and the ratio.
# Usage: bash tools/embedded/count-instructions.sh [--write-docs]
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
litert=.build-litert-aarch64
if [ "${1:-}" = --write-docs ]; then bash tools/peers/arm64-tree.sh; bash tools/peers/setup.sh; fi
declare -A xnnpack=()
if [ -x "$litert/tree/usr/bin/python3.11" ]; then
    .venv-peers/bin/python tools/peers/write_tflite.py "$blob" "$litert/random-encoder-64.tflite" >"$litert/write_tflite.log" 2>&1 ||
        { cat "$litert/write_tflite.log" >&2; exit 1; }
    lines[0]+=" LiteRT (XNNPACK) per inference | Facelyzr / LiteRT |" lines[1]+="---|---|"
    notes=()
    for cpu in cortex-a72 cortex-a76; do
        one=$(bash tools/peers/python-count-aarch64.sh "$cpu" tools/peers/litert_invoke.py "$litert/random-encoder-64.tflite" 1)
        three=$(bash tools/peers/python-count-aarch64.sh "$cpu" tools/peers/litert_invoke.py "$litert/random-encoder-64.tflite" 3)
        xnnpack[$cpu]=$(( (three - one) / 2 ))
        notes+=("$cpu: 1 warm-up + 1 invoke $one, + 3 invokes $three")
    done
fi
for run in "cortex-a72 aarch64" "cortex-a76 aarch64" "cortex-a76 aarch64-dotprod"; do
    read -r cpu build <<<"$run"
    one=$(count "$cpu" "$build" 1)
    three=$(count "$cpu" "$build" 3)
    lines+=("| $cpu | $build | $one | $three | $(( (three - one) / 2 )) |")
    if [ -n "${xnnpack[$cpu]:-}" ]; then
        lines[-1]+=" ${xnnpack[$cpu]} | $(python3 -c "print(f'{($three - $one) / 2 / ${xnnpack[$cpu]}:.2f}')") |"
    fi
done
sizes=$(cd .build-embedded/aarch64 && aarch64-linux-gnu-size FacelyzrRuntime.o FacelyzrCAPI.o |
        awk 'NR > 1 {printf "%s%s: text %d, data %d, bss %d bytes", sep, $6, $1, $2, $3; sep = "; "}')
if [ ${#xnnpack[@]} -gt 0 ]; then
    version() { sed -n 's/^Version: //p' "$litert"/tree/usr/lib/python3/dist-packages/"$1"-*.dist-info/METADATA; }
    lines+=("" "LiteRT: ai-edge-litert $(version ai_edge_litert), numpy $(version numpy), $(QEMU_LD_PREFIX=$litert/tree qemu-aarch64 "$litert/tree/usr/bin/python3.11" --version) in a Debian 12 (bookworm) arm64 tree (tools/peers/arm64-tree.sh); tools/peers/litert_invoke.py, the whole process: $(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g').")
fi
lines+=("" "aarch64 Embedded objects (aarch64-linux-gnu-size): $sizes." "qemu: $(qemu-aarch64 --version | head -1).")
printf '%s\n' "${lines[@]}"
if [ "${1:-}" = --write-docs ]; then
    printf '%s\n' "${lines[@]}" | python3 tools/benchmarks/write_section.py docs/benchmarks.md \
        "<!-- isa:begin (tools/embedded/count-instructions.sh) -->" "<!-- isa:end -->"
fi
