#!/usr/bin/env bash
# Builds the runtime's numerics and kernels as Embedded Swift for x86-64, aarch64 and armv7
# together with tools/cross-isa/numerics/Probe.swift, runs them (the ARM ones under qemu-user)
# and requires identical hashes of sigmoid, requantisation, kernel outputs and softmax heads on all
# three (docs/quantization.md "Heads" and "Accumulation"), and of the 16x8 ops (section 11). A fast kernel differing from the
# reference prints a zero kernels hash, which also fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=$(find Sources/FacelyzrRuntime -name '*.swift' | sort)
probe=tools/cross-isa/numerics/Probe.swift
driver=tools/cross-isa/numerics/main.c

build() {  # name, swift target (+ flags), C compiler
    local name=$1 target=$2 cc=$3
    # shellcheck disable=SC2086
    swiftc -enable-experimental-feature Embedded -target $target -wmo -parse-as-library -Osize -I Sources/CFacelyzrSIMD \
        -module-name FacelyzrRuntime -c $sources "$probe" -o "$work/$name.o"
    $cc "$driver" "$work/$name.o" -o "$work/$name"
}

build x86_64 "x86_64-unknown-linux-gnu" gcc
build aarch64 "aarch64-none-none-elf" aarch64-linux-gnu-gcc
build armv7 "armv7-none-none-eabi -Xcc -mfloat-abi=hard" arm-linux-gnueabihf-gcc

"$work/x86_64" > "$work/x86_64.txt"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/aarch64" > "$work/aarch64.txt"
qemu-arm -L /usr/arm-linux-gnueabihf "$work/armv7" > "$work/armv7.txt"

status=0
for isa in x86_64 aarch64 armv7; do
    echo "$isa: $(tr '\n' ' ' < "$work/$isa.txt")"
    if ! cmp -s "$work/x86_64.txt" "$work/$isa.txt"; then status=1; fi
done
if grep -q 'kernels 0000000000000000\|wide 0000000000000000' "$work"/*.txt; then
    echo "a fast kernel differs from the reference kernel" >&2
    status=1
fi
if [ $status -ne 0 ]; then echo "numerics differ across ISAs" >&2; else echo "identical on x86_64, aarch64, armv7"; fi
exit $status
