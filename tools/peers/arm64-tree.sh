#!/usr/bin/env bash
# Makes .build-litert-aarch64/tree (gitignored): an arm64 Debian bookworm tree (glibc 2.36, Python
# 3.11) with LiteRT's aarch64 wheel (ai-edge-litert, manylinux_2_27), OpenCV's (opencv-python-
# headless, manylinux2014, with the Haar cascades under cv2/data), Debian's opencv-data (the LBP
# cascades, /usr/share/opencv4/lbpcascades, which the wheel lacks) and numpy, for counting LiteRT's
# instructions per inference (tools/embedded/count-instructions.sh) and OpenCV's per
# detectMultiScale call (tools/embedded/count-camera-instructions.sh) under qemu-aarch64. No binfmt
# or chroot is needed: mmdebstrap's `extract` variant unpacks the packages without running their
# scripts, pip installs the aarch64 wheels from the host (--platform, --target), and the host's
# Python 3.11 byte-compiles the tree's modules (same bytecode magic) so no run under qemu writes
# .pyc files. Needs mmdebstrap (tools/install-deps.sh) and network access to deb.debian.org and
# PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=.build-litert-aarch64
tree=$dir/tree
[ -x "$tree/usr/bin/python3.11" ] && [ -d "$tree/usr/lib/python3/dist-packages/ai_edge_litert" ] &&
    [ -d "$tree/usr/lib/python3/dist-packages/cv2" ] && [ -d "$tree/usr/share/opencv4/lbpcascades" ] && exit 0
rm -rf "$tree" "$dir/wheels"
mkdir -p "$dir"
mmdebstrap --quiet --variant=extract --architectures=arm64 \
    --include=python3.11,python3.11-minimal,libpython3.11-stdlib,libstdc++6,opencv-data bookworm "$tree" http://deb.debian.org/debian
platforms=(--platform manylinux2014_aarch64 --platform manylinux_2_27_aarch64 --platform manylinux_2_28_aarch64)
python3 -m pip download --quiet "${platforms[@]}" --only-binary=:all: --python-version 3.11 \
    --implementation cp -d "$dir/wheels" ai-edge-litert==2.3.0 numpy==2.4.6 opencv-python-headless==4.14.0.94
python3 -m pip install --quiet "${platforms[@]}" --only-binary=:all: --python-version 3.11 \
    --implementation cp --no-index --find-links "$dir/wheels" \
    --target "$tree/usr/lib/python3/dist-packages" ai-edge-litert==2.3.0 numpy==2.4.6 opencv-python-headless==4.14.0.94
python3 -m compileall -q "$tree/usr/lib/python3.11" "$tree/usr/lib/python3/dist-packages"
