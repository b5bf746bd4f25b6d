#!/usr/bin/env bash
# Fetches the mediapipe 0.10.14 wheel for this machine from PyPI and extracts BlazeFace
# short-range (face_detection_short_range.tflite, 128x128 RGB, 896 anchors; Apache-2.0) and the
# wheel's licence into DEST (default ~/.cache/facelyzr/mediapipe-0.10.14; never inside the
# repository: the model is not committed). The wheel differs per platform; the model and the
# licence do not, and their SHA-256 are checked against the values below.
# Then, for example:
#   facelyzr import-model DEST/face_detection_short_range.tflite --inspect
set -euo pipefail
dest="${1:-$HOME/.cache/facelyzr/mediapipe-0.10.14}"
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: mediapipe==0.10.14 -d "$tmp"
python3 - "$tmp"/mediapipe-0.10.14-*.whl "$dest" <<'PY'
import hashlib, os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
files = {
    "mediapipe/modules/face_detection/face_detection_short_range.tflite": "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    "mediapipe-0.10.14.dist-info/LICENSE": "8707eef0533987efc5b155d64761eeb6e20793f50b9bd1a68dad1cf4719d0ed8",
}
with zipfile.ZipFile(wheel) as archive:
    for name, sha256 in files.items():
        data = archive.read(name)
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            sys.exit(f"{name}: SHA-256 {digest}, expected {sha256}")
        target = os.path.join(dest, os.path.basename(name))
        with open(target + ".tmp", "wb") as out:
            out.write(data)
        os.replace(target + ".tmp", target)
        print(f"{target} ({len(data)} bytes, SHA-256 {digest})")
PY
