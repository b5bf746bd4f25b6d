#!/usr/bin/env bash
# Builds the synthetic face generator (the FacelyzrSynthetic target, over the FacelyzrRandom
# module it imports) as Embedded Swift for x86-64, aarch64 and armv7 with
# tools/cross-isa/synthetic/Probe.swift, runs it (the ARM builds under qemu-user) and requires
# the same image fingerprints on all three, equal to the golden table of
# Tests/FacelyzrDataTests/SyntheticFacesTests.swift (docs/synthetic-faces.md "Determinism").
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/install-deps.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=$(find Sources/FacelyzrSynthetic -name '*.swift' | sort)
random=$(find Sources/FacelyzrRandom -name '*.swift' | sort)
probe=tools/cross-isa/synthetic/Probe.swift
driver=tools/cross-isa/synthetic/main.c

build() {  # name, swift target (+ flags), C compiler
    local name=$1 target=$2 cc=$3
    mkdir -p "$work/$name-modules"
    # shellcheck disable=SC2086
    swiftc -enable-experimental-feature Embedded -target $target -wmo -parse-as-library -O \
        -module-name FacelyzrRandom -emit-module-path "$work/$name-modules/FacelyzrRandom.swiftmodule" \
        -c $random -o "$work/$name-random.o"
    # shellcheck disable=SC2086
    swiftc -enable-experimental-feature Embedded -target $target -wmo -parse-as-library -O \
        -I "$work/$name-modules" -module-name FacelyzrSynthetic -c $sources "$probe" -o "$work/$name.o"
    $cc -O2 "$driver" "$work/$name.o" "$work/$name-random.o" -lm -o "$work/$name"
}

build x86_64 "x86_64-unknown-linux-gnu" gcc
build aarch64 "aarch64-none-none-elf" aarch64-linux-gnu-gcc
build armv7 "armv7-none-none-eabi -Xcc -mfloat-abi=hard" arm-linux-gnueabihf-gcc

"$work/x86_64" > "$work/x86_64.txt"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/aarch64" > "$work/aarch64.txt"
qemu-arm -L /usr/arm-linux-gnueabihf "$work/armv7" > "$work/armv7.txt"

# The golden table's fingerprints, in order, as 16 upper-case hex digits.
sed -n '/let golden:/,/^        \]/p' Tests/FacelyzrDataTests/SyntheticFacesTests.swift |
    grep -o '0x[0-9A-F_]*' | tr -d '_' | sed 's/^0x//' > "$work/golden.txt"

status=0
for isa in x86_64 aarch64 armv7; do
    echo "$isa: $(tr '\n' ' ' < "$work/$isa.txt")"
    if ! cmp -s "$work/x86_64.txt" "$work/$isa.txt"; then status=1; fi
done
if ! head -n 6 "$work/x86_64.txt" | cmp -s - "$work/golden.txt"; then
    echo "the Embedded build differs from the golden fingerprints of the test" >&2
    status=1
fi
if [ $status -ne 0 ]; then echo "synthetic faces differ across ISAs" >&2; else echo "identical on x86_64, aarch64, armv7 and equal to the golden table"; fi
exit $status
