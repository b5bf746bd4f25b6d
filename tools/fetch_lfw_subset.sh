#!/usr/bin/env bash
# Fetches the LFW subset that scikit-image ships in its wheel (skimage/data/lfw_subset.npy:
# 200 gray 25x25 faces and non-faces) into DEST/lfw_subset.npy, for
# `facelyzr import lfw-subset DEST/lfw_subset.npy OUT`.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 DEST_DIR" >&2
    exit 2
fi
dest="$1"
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --no-deps --only-binary=:all: scikit-image -d "$tmp" -q
wheel="$(ls "$tmp"/scikit_image-*.whl | head -n 1)"
python3 - "$wheel" "$dest/lfw_subset.npy" <<'PY'
import os, sys, tempfile, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    data = archive.read("skimage/data/lfw_subset.npy")
handle, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(target)))
with os.fdopen(handle, "wb") as out:
    out.write(data)
    out.flush()
    os.fsync(out.fileno())
os.replace(temporary, target)
print(f"wrote {target} ({len(data)} bytes) from {os.path.basename(wheel)}")
PY
