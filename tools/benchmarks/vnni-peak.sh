#!/usr/bin/env bash
# vpdpbusd throughput of this CPU (tools/benchmarks/vnni-peak.c; needs AVX-512 VNNI), built with the
# Swift toolchain's clang. Usage: bash tools/benchmarks/vnni-peak.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
clang=$(dirname "$(readlink -f "$(command -v swift)")")/clang
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$clang" -O2 tools/benchmarks/vnni-peak.c -o "$out"
"$out"
