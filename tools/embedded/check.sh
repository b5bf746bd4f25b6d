#!/usr/bin/env bash
# The cross-ISA check: runs the same blobs and inputs through the Embedded Swift builds
# for aarch64 (qemu-aarch64 -cpu cortex-a72; the dot-product build on -cpu cortex-a76), armv7 (qemu-arm) and x86-64 (natively), and the ordinary
# host Swift build, and requires the head outputs and every layer's output (hashed) to be
# identical byte for byte to the x86-64 Embedded build's.
#
#     bash tools/embedded/check.sh      (also `make embedded-check`, part of `make test`)
#
# Blobs and inputs come from the facelyzr-embedded-fixtures executable (deterministic
# random-weight models and pixels), plus the imported blobs of firmware-model/real/ on seeded
# random pixels. Prints the library sizes and one PASS/FAIL line;
# exits non-zero on any difference. Then tools/embedded/runner-check.sh checks the board
# runner on the shipped model's golden inputs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/.build-embedded"

bash tools/embedded/build.sh aarch64 aarch64-dotprod armv7 x86_64 host

swift build --product facelyzr-embedded-fixtures >/dev/null
fixtures="$out/fixtures"
rm -rf "$fixtures"
"$(swift build --show-bin-path)/facelyzr-embedded-fixtures" "$fixtures"
# The imported real-face nets (firmware-model/real/, docs/model-import.md), each on 4 random
# inputs of its size (the harness names the size, refusing an empty input; seeded, so every run
# checks the same pixels).
for real in "$root"/firmware-model/real/*.blob; do
    name="real-$(basename "$real" .blob)"
    cp "$real" "$fixtures/$name.fzb"
    bytes=$({ "$out/x86_64/harness" "$real" /dev/null 2>/dev/null || true; } | sed -n 's/^model input \([0-9]*\)x\([0-9]*\)x\([0-9]*\) .*/\1 * \2 * \3/p')
    python3 -c "import os, random, sys; r = random.Random(16); os.makedirs(sys.argv[1]); [open(f'{sys.argv[1]}/{i}.raw', 'wb').write(bytes(r.randrange(256) for _ in range($bytes))) for i in range(4)]" "$fixtures/$name"
done

declare -A runner=(
    [x86_64]=""
    [host]=""
    [aarch64]="qemu-aarch64 -cpu cortex-a72 -L /usr/aarch64-linux-gnu"
    [aarch64-dotprod]="qemu-aarch64 -cpu cortex-a76 -L /usr/aarch64-linux-gnu"
    [armv7]="qemu-arm -L /usr/arm-linux-gnueabihf"
)
blobs=0 inputs=0 identical=0 different=0
cd "$fixtures"  # relative paths in the outputs
for blob in *.fzb; do
    name="$(basename "$blob" .fzb)"
    mapfile -t input_files < <(find "$name" -name '*.raw' | LC_ALL=C sort)
    blobs=$((blobs + 1))
    inputs=$((inputs + ${#input_files[@]}))
    for isa in x86_64 aarch64 aarch64-dotprod armv7 host; do
        # shellcheck disable=SC2086  # the runner is a command with arguments
        ${runner[$isa]} "$out/$isa/harness" "$blob" "${input_files[@]}" > "$out/$isa/$name.txt"
    done
    for isa in aarch64 aarch64-dotprod armv7 host; do
        # Inputs (or the model line) whose printed results differ from x86-64's.
        differing=$({ diff "$out/x86_64/$name.txt" "$out/$isa/$name.txt" || true; } | awk '/^[<>]/ {print $2}' | sort -u | wc -l)
        if ((differing == 0)); then
            identical=$((identical + ${#input_files[@]}))
        else
            different=$((different + differing))
            identical=$((identical + ${#input_files[@]} - differing))
            echo "MISMATCH $name: $isa differs from x86_64:" >&2
            diff "$out/x86_64/$name.txt" "$out/$isa/$name.txt" | head -20 >&2 || true
        fi
    done
done

declare -A size_tool=([x86_64]=size [aarch64]=aarch64-linux-gnu-size [armv7]=arm-linux-gnueabihf-size)
for isa in aarch64 armv7 x86_64; do
    # Code and data of the archive's objects, and of what the harness keeps (--gc-sections).
    read -r text data bss _ < <("${size_tool[$isa]}" -t "$out/$isa/libfacelyzr.a" | tail -1)
    echo "$isa: libfacelyzr.a $(stat -c %s "$out/$isa/libfacelyzr.a") bytes on disk;" \
         "objects text $text, data $data, bss $bss bytes"
done

if ((blobs >= 3 && inputs >= 30 && different == 0)); then
    echo "embedded-check: PASS: $blobs blobs x $((inputs / blobs)) inputs; aarch64 (cortex-a72), aarch64-dotprod" \
         "(cortex-a76), armv7 (qemu) and host Swift" \
         "identical to x86-64 Embedded on all $identical runs"
else
    echo "embedded-check: FAIL: $blobs blobs, $inputs inputs; $identical runs identical to x86-64, $different differ"
    exit 1
fi

cd "$root"
bash tools/embedded/runner-check.sh
