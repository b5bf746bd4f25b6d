#!/usr/bin/env bash
# Fuzzes Model(bytes:) and predict with libFuzzer under AddressSanitizer.
# Usage: tools/fuzz/run.sh [RUNS]   (default 20000; the release check uses 1000000)
# The seed corpus is the committed format fixtures; the working corpus lives in .build/fuzz.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-20000}"
out=.build/fuzz
mkdir -p "$out/corpus"
cp Tests/FacelyzrRuntimeTests/Fixtures/*.blob "$out/corpus/"
if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -I Sources/CFacelyzrSIMD -module-name FuzzBlob \
    $(find Sources/FacelyzrRuntime -name '*.swift') tools/fuzz/FuzzBlob.swift -o "$out/fuzz-blob" \
    > "$out/build.log" 2>&1; then
    cat "$out/build.log"
    exit 1
fi
start=$(date +%s)
"$out/fuzz-blob" -runs="$runs" -seed=1 -max_len=8192 -print_final_stats=1 "$out/corpus" > "$out/fuzz.log" 2>&1 \
    || { tail -n 60 "$out/fuzz.log"; exit 1; }
grep -E "^(Done|stat::|fuzz-blob)" "$out/fuzz.log"
echo "fuzz-blob: $runs inputs in $(( $(date +%s) - start )) s, no crash"
