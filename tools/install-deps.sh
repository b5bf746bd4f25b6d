#!/usr/bin/env bash
# Installs the Debian packages Facelyzr needs, only those that are missing.
# Used by `make deps` (and so by `make demo` and `make test`).
set -euo pipefail

packages=(
    libpng-dev            # PNG decode/encode (CImageIO)
    libjpeg62-turbo-dev   # JPEG decode (CImageIO)
    zlib1g-dev            # CRC-32 of dataset records (CImageIO)
    libopenblas-dev       # float GEMM for the trainer only
    gcc-aarch64-linux-gnu # links the Embedded Swift runtime for 64-bit boards
    gcc-arm-linux-gnueabihf # ... and for 32-bit boards
    qemu-user             # runs those binaries here for the cross-ISA checks
    libc6-dev-arm64-cross # the boards' glibc the cross links use (only recommended by gcc-*)
    libc6-dev-armhf-cross
    gcc                   # links the x86-64 Embedded Swift build the boards are compared with
    valgrind              # callgrind instruction counts per inference (tools/benchmarks/callgrind.sh)
    mmdebstrap            # the arm64 Debian tree LiteRT is counted in (tools/peers/arm64-tree.sh)
    pkg-config            # points C builds at the Debian packages (tools/packaging/deb-check.sh)
    lintian               # lints those packages (deb-check.sh)
    libflatbuffers-dev    # TFLite model import: flatbuffers' Verifier and accessors (CFacelyzrTFLite)
    flatbuffers-compiler  # flatc, regenerates CFacelyzrTFLite's committed header (tools/model-import)
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# numpy and scipy for the Python tools and their tests (the oracle, tools/imdb_wiki_to_csv.py).
if ! python3 -c "import numpy, scipy" 2>/dev/null; then
    echo "installing: numpy scipy (pip)"
    python3 -m pip install --quiet numpy scipy
fi
