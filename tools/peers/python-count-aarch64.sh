#!/usr/bin/env bash
# Instructions executed by a Python script with its arguments (tools/peers/litert_invoke.py for
# LiteRT, tools/peers/opencv_detect.py for OpenCV's cascades), in the arm64 tree of
# tools/peers/arm64-tree.sh under qemu-aarch64 -cpu CPU, the whole process (tools/embedded/qemu-count.sh:
# each executed block's length, summed by a qemu plugin, as tools/embedded/count-instructions.sh
# counts Facelyzr). Prints the count.
#
# qemu 7.2 passes the host's x86 /proc/cpuinfo through, and LiteRT's cpuinfo library then
# crashes (SIGSEGV reading a null pointer while initialising). qemu-user looks up every absolute
# path first under its -L prefix, so the tree gets a /proc/cpuinfo of the emulated core, as a
# Raspberry Pi shows it (CPU part, variant, revision of qemu's model; 2 processors, like the
# host's /sys/devices/system/cpu). Newer qemu (8.1+) emulates this file itself.
# Usage: bash tools/peers/python-count-aarch64.sh cortex-a72|cortex-a76 SCRIPT.py [ARGUMENT...]
set -euo pipefail
cd "$(dirname "$0")/../.."
tree=.build-litert-aarch64/tree
cpu=$1
shift
case $cpu in
    cortex-a72) features="fp asimd evtstrm crc32 cpuid" variant=0x0 part=0xd08 revision=3 ;;
    cortex-a76) features="fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp"
                variant=0x4 part=0xd0b revision=1 ;;
    *) echo "unknown CPU $cpu" >&2; exit 2 ;;
esac
mkdir -p "$tree/proc"
for p in 0 1; do
    printf 'processor\t: %d\nBogoMIPS\t: 100.00\nFeatures\t: %s\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: %s\nCPU part\t: %s\nCPU revision\t: %s\n\n' \
        "$p" "$features" "$variant" "$part" "$revision"
done >"$tree/proc/cpuinfo"
count=$(mktemp)
trap 'rm -f "$count"' EXIT
QEMU_LD_PREFIX=$tree PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 bash tools/embedded/qemu-count.sh "$count" "$cpu" "$tree/usr/bin/python3.11" -B "$@" >/dev/null
cat "$count"
