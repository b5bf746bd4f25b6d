#!/usr/bin/env bash
# Regenerates Sources/CFacelyzrTFLite/Generated/schema_generated.h from TFLite's schema.fbs of the
# pinned commit, with Debian's flatc (flatbuffers-compiler; the header must match the
# libflatbuffers-dev headers it is compiled with, which the generated file static_asserts). The
# generated file is committed: flatc is not part of the package's build graph. Versions are
# listed in Sources/CFacelyzrTFLite/Generated/README.md; change them there and here together.
# The pinned schema is the newest whose syntax flatc 2.0.8 reads (later ones mark enum values
# `(deprecated)`); it is TFLite schema version 3 through 3c, which every TFLite file since 2018 is.
# Usage: tools/model-import/generate-tflite-schema.sh [SCHEMA.fbs]
#   (default: downloaded from GitHub; needs flatc: apt-get install flatbuffers-compiler libflatbuffers-dev)
set -euo pipefail
cd "$(dirname "$0")/../.."
commit=28389e0ff0e0ed09b0b895770e0ac683e98e1768  # tensorflow/tflite-micro, 2023-10-30 (synced from tensorflow)
schema_sha256=89f9d126d003b4e8a31880a49853015decf2a43b812ddeadba6f0a579156aa3d
flatc_version="flatc version 2.0.8"
out=Sources/CFacelyzrTFLite/Generated

command -v flatc > /dev/null || { echo "flatc not found: apt-get install -y flatbuffers-compiler libflatbuffers-dev" >&2; exit 1; }
[ "$(flatc --version)" = "$flatc_version" ] || echo "note: $(flatc --version), the committed file was made with $flatc_version" >&2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ $# -ge 1 ]; then
    cp "$1" "$tmp/schema.fbs"
else
    curl -fsSL "https://raw.githubusercontent.com/tensorflow/tflite-micro/$commit/tensorflow/lite/schema/schema.fbs" -o "$tmp/schema.fbs"
fi
echo "$schema_sha256  $tmp/schema.fbs" | sha256sum --check --quiet
flatc --cpp -o "$tmp" "$tmp/schema.fbs"
mkdir -p "$out"
mv "$tmp/schema_generated.h" "$out/schema_generated.h"
echo "wrote $out/schema_generated.h from tflite-micro $commit schema.fbs with $(flatc --version)"
