#!/usr/bin/env bash
# Builds FacelyzrRuntime and FacelyzrCAPI as Embedded Swift, archives them as libfacelyzr.a
# and links the C harness (tools/embedded/harness.c), the instruction-count driver
# (tools/embedded/count.c) and the board runner (tools/embedded/facelyzr-run.c) through
# facelyzr.h, for each ISA:
#
#   aarch64   aarch64-none-none-elf     linked with aarch64-linux-gnu-gcc    (64-bit boards, ARMv8.0: Pi 4)
#   aarch64-dotprod  the same for ARMv8.2 with the dot product (Pi 5); built on request only
#   armv7     armv7-none-none-eabi      linked with arm-linux-gnueabihf-gcc  (32-bit boards)
#   x86_64    x86_64-unknown-linux-gnu  linked with gcc                      (this machine)
#   host      the same sources as ordinary (not Embedded) Swift, linked by swiftc against
#             the Swift runtime: the build the package's tests exercise
#
# It also compiles the face localiser (FacelyzrDetection, over the pixel operations of
# FacelyzrImaging) the same way into FacelyzrImaging.o and FacelyzrDetection.o, to prove they
# build for boards without allocating; they have no C entry points yet, so they are not in
# libfacelyzr.a.
#
# Output: .build-embedded/<isa>/{libfacelyzr.a,harness,count,facelyzr-run,*.o} (the host build:
# no runner; x86_64 also facelyzr-run-counting, the runner counting its allocations).
# Usage: build.sh [ISA...]
#
# No heap allocation, checked twice:
# - every ISA compiles with -no-allocations (the compiler rejects any allocating code). On
#   32-bit targets Swift 6.3 also rejects conversions to or from 64-bit integers there
#   ("cannot use allocating type '_ContiguousArrayStorage<UInt>'", swiftlang/swift#86827);
#   the sources use the forms in FacelyzrRuntime/Numerics/Widening.swift instead.
# - the harness is linked with --gc-sections over -function-sections objects and must then
#   contain none of Embedded Swift's allocation entry points (swift_allocObject, ...).
# What libfacelyzr.a needs from the board's libc is listed in docs/embedded.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/.build-embedded"

bash tools/install-deps.sh

swiftc="${SWIFTC:-$(dirname "$(readlink -f "$(command -v swift)")")/swiftc}"

isas=("$@")
if ((${#isas[@]} == 0)); then isas=(aarch64 armv7 x86_64 host); fi

mapfile -t runtime_sources < <(find Sources/FacelyzrRuntime -name '*.swift' | LC_ALL=C sort)
mapfile -t capi_sources < <(find Sources/FacelyzrCAPI -name '*.swift' | LC_ALL=C sort)
mapfile -t imaging_sources < <(find Sources/FacelyzrImaging -name '*.swift' | LC_ALL=C sort)
mapfile -t detection_sources < <(find Sources/FacelyzrDetection -name '*.swift' | LC_ALL=C sort)

for isa in "${isas[@]}"; do
    case "$isa" in
        aarch64) triple=aarch64-none-none-elf; cc=aarch64-linux-gnu-gcc; isa_flags=() ;;
        # Pi 5 class (ARMv8.2 with the dot product): the packed kernel uses sdot.
        aarch64-dotprod) triple=aarch64-none-none-elf; cc=aarch64-linux-gnu-gcc
                         isa_flags=(-target-cpu cortex-a76 -Xcc -mcpu=cortex-a76) ;;
        # Int is 32 bits here; the board ABI passes floats in VFP registers.
        armv7) triple=armv7-none-none-eabi; cc=arm-linux-gnueabihf-gcc; isa_flags=(-Xcc -mfloat-abi=hard) ;;
        x86_64) triple=x86_64-unknown-linux-gnu; cc=gcc; isa_flags=() ;;
        host) cc=gcc ;;
        *) echo "build.sh: unknown ISA '$isa' (aarch64, aarch64-dotprod, armv7, x86_64, host)" >&2; exit 1 ;;
    esac
    dir="$out/$isa"
    mkdir -p "$dir"
    if [ "$isa" = host ]; then
        swift_flags=(-wmo -parse-as-library -O -I Sources/CFacelyzrSIMD)
    else
        swift_flags=(-enable-experimental-feature Embedded -target "$triple" -wmo -parse-as-library -I Sources/CFacelyzrSIMD
                     -Ounchecked -enforce-exclusivity=unchecked -no-allocations -Xfrontend -function-sections "${isa_flags[@]}")
    fi

    "$swiftc" "${swift_flags[@]}" -module-name FacelyzrRuntime \
        -emit-module -emit-module-path "$dir/FacelyzrRuntime.swiftmodule" \
        -c "${runtime_sources[@]}" -o "$dir/FacelyzrRuntime.o"
    "$swiftc" "${swift_flags[@]}" -module-name FacelyzrImaging \
        -emit-module -emit-module-path "$dir/FacelyzrImaging.swiftmodule" \
        -c "${imaging_sources[@]}" -o "$dir/FacelyzrImaging.o"
    "$swiftc" "${swift_flags[@]}" -module-name FacelyzrDetection -I "$dir" \
        -emit-module -emit-module-path "$dir/FacelyzrDetection.swiftmodule" \
        -c "${detection_sources[@]}" -o "$dir/FacelyzrDetection.o"
    "$swiftc" "${swift_flags[@]}" -module-name FacelyzrCAPI -I "$dir" \
        -c "${capi_sources[@]}" -o "$dir/FacelyzrCAPI.o"
    rm -f "$dir/libfacelyzr.a"
    ar rcs "$dir/libfacelyzr.a" "$dir/FacelyzrRuntime.o" "$dir/FacelyzrImaging.o" "$dir/FacelyzrDetection.o" "$dir/FacelyzrCAPI.o"

    c_flags=(-std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I Sources/FacelyzrCAPI/include)
    programs=(harness count)
    if [ "$isa" != host ]; then programs+=(facelyzr-run); fi
    for program in "${programs[@]}"; do
        "$cc" "${c_flags[@]}" -c "tools/embedded/$program.c" -o "$dir/$program.o"
    done
    if [ "$isa" = x86_64 ]; then
        # The board runner with malloc-interposer counting after its first frame (check.sh).
        "$cc" "${c_flags[@]}" -DFACELYZR_RUN_COUNT_ALLOCATIONS -c tools/embedded/facelyzr-run.c \
            -o "$dir/facelyzr-run-counting.o"
        programs+=(facelyzr-run-counting)
    fi
    for program in "${programs[@]}"; do
        if [ "$isa" = host ]; then
            # -lm: without --gc-sections the camera path's rounding (floor, roundf) is linked too.
            "$swiftc" "$dir/$program.o" "$dir/libfacelyzr.a" -lm -o "$dir/$program"
            continue
        fi
        # -lm: the runner's detection mode reaches the camera path's rounding (floor, roundf);
        # -pthread: its --threads.
        "$cc" "$dir/$program.o" "$dir/libfacelyzr.a" -Wl,--gc-sections -lm -pthread -o "$dir/$program"
        allocating="$("${cc%gcc}nm" "$dir/$program" | awk '{print $NF}' |
            grep -E '^(swift_allocObject|swift_allocEmptyBox|swift_slowAlloc|swift_coroFrameAlloc|posix_memalign)$' || true)"
        if [ -n "$allocating" ]; then
            echo "build.sh: $isa: $program: the linked C API reaches allocation functions:" $allocating >&2
            exit 1
        fi
    done
done
