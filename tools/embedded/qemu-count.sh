#!/usr/bin/env bash
# Runs PROGRAM with its arguments under qemu-aarch64 -cpu CPU (QEMU_LD_PREFIX from the
# environment, else /usr/aarch64-linux-gnu), its standard streams untouched, and writes the
# instructions the whole process executed to COUNT_FILE (tools/embedded/count_plugin.c, built
# here into .build-embedded/count-plugin.so). Exits with the program's status. With
# COUNT_SYMBOLS=PATH in the environment, also the instructions per symbol of the program into PATH
# ("count symbol" lines, largest first).
# Usage: bash tools/embedded/qemu-count.sh COUNT_FILE cortex-a72|cortex-a76 PROGRAM [ARGUMENT...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
plugin="$root/.build-embedded/count-plugin.so"
if [ ! -f "$plugin" ] || [ "$root/tools/embedded/count_plugin.c" -nt "$plugin" ]; then
    mkdir -p "$root/.build-embedded"
    # Runs in parallel may build it at once: each into its own temporary, the last rename wins.
    gcc -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC "$root/tools/embedded/count_plugin.c" -o "$plugin.tmp.$$"
    mv -f "$plugin.tmp.$$" "$plugin"
fi
count_file=$1 cpu=$2
shift 2
rm -f "$count_file"
arguments="out=$(realpath -m "$count_file")"
if [ -n "${COUNT_SYMBOLS:-}" ]; then arguments+=",symbols=$(realpath -m "$COUNT_SYMBOLS")"; fi
QEMU_LD_PREFIX="${QEMU_LD_PREFIX:-/usr/aarch64-linux-gnu}" qemu-aarch64 -cpu "$cpu" -plugin "$plugin,$arguments" "$@"
