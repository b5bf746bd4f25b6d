#!/usr/bin/env bash
# Fuzzes the command line of `facelyzr`: every numeric option of every subcommand with random
# hostile values (tools/fuzz/cli_fuzz.py); fails on a signal, an unknown exit status or a case
# past its limit (20 s, 4 GiB of address space).
# Usage: tools/fuzz/cli.sh [CASES [SEED]]   (default 2000 cases, seed 1: CI)
# FACELYZR=path picks the program (default: the debug build `swift build --build-tests` makes);
# the long run is `FACELYZR=.build/release/facelyzr tools/fuzz/cli.sh 100000 2`.
set -euo pipefail
cd "$(dirname "$0")/../.."
facelyzr="${FACELYZR:-.build/debug/facelyzr}"
[ -x "$facelyzr" ] || { echo "cli.sh: $facelyzr is not built (swift build --build-tests, or set FACELYZR)" >&2; exit 1; }
exec python3 tools/fuzz/cli_fuzz.py "$facelyzr" --cases "${1:-2000}" --seed "${2:-1}"
