#!/usr/bin/env bash
# Instructions per inference of the release `facelyzr` on the default model (RandomEncoder), as a
# regression baseline: callgrind counts for N+K and for N inferences, divided difference
# (process start, model build and validation cancel out). Deterministic to the instruction for
# a given binary. Usage: bash tools/benchmarks/callgrind.sh [BLOB]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product facelyzr >/dev/null
# Valgrind gives up on the Swift binary's debug info: count a stripped copy (same code).
binary=.build/release/facelyzr-stripped
strip -o "$binary" .build/release/facelyzr
n=2 k=8
count() {
    local out; out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" bench "$@" >/dev/null 2>&1
    local total; total=$(grep -m1 '^summary:' "$out" | awk '{print $2}')
    rm -f "$out"
    echo "$total"
}
low=$(count ${1:+"$1"} --inferences $n)
high=$(count ${1:+"$1"} --inferences $((n + k)))
echo "callgrind: $high instructions for $((n + k)) inferences, $low for $n"
echo "instructions per inference: $(( (high - low) / k ))"
