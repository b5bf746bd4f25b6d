#!/usr/bin/env bash
# The installed tree's check (part of `make test`, after `swift build --build-tests`):
#
# 1. `make install DESTDIR=$(mktemp -d)` (the debug build the tests use, CONFIGURATION=debug;
#    pass CONFIGURATION=release to check the release build) over a share directory holding a
#    stale model of an "older version": the stale file is gone afterwards.
# 2. From another directory, with no --model, no FACELYZR_MODEL_DIR and no checkout in sight:
#    `facelyzr analyze` on a face picture (golden frame 0 as a PNG) prints the int32 outputs
#    of firmware-model/golden/outputs.i32; so do `facelyzr-run-host analyze`; `analyze --detect`
#    finds the default detector; `facelyzr version` names the installed share directory.
# 3. FACELYZR_MODEL_DIR comes first; a damaged installed model and a missing one each give
#    one failure naming every place looked in.
# 4. `make uninstall` leaves no file behind.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
fail() { echo "install-check: FAIL: $*" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dest="$scratch/root" prefix=/usr/local configuration="${CONFIGURATION:-debug}"
share="$dest$prefix/share/facelyzr" bin="$dest$prefix/bin"

mkdir -p "$share"
echo "a model of an older version" > "$share/stale.blob"
make --no-print-directory install DESTDIR="$dest" PREFIX="$prefix" CONFIGURATION="$configuration"
[ ! -e "$share/stale.blob" ] || fail "the stale model of an older install is still there"
for model in firmware-model/*.blob; do
    cmp -s "$model" "$share/$(basename "$model")" || fail "$share/$(basename "$model") differs from $model"
done

# A face picture: the first golden frame (64x64 rgb24) as a PNG, outside the checkout.
work="$scratch/elsewhere"
mkdir -p "$work"
python3 - firmware-model/golden/inputs.raw "$work/face.png" <<'PY'
import struct, sys, zlib
frame = open(sys.argv[1], "rb").read(64 * 64 * 3)
rows = b"".join(b"\0" + frame[y * 192:(y + 1) * 192] for y in range(64))
chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
open(sys.argv[2], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
outputs=$(python3 -c 'import json, struct, sys
data = open("firmware-model/golden/outputs.i32", "rb").read()
n = len(data) // 4 // json.load(open("firmware-model/golden/golden.json"))["count"]
print(json.dumps(list(struct.unpack("<%di" % n, data[:4 * n])), separators=(",", ":")))')

cd "$work"
run() { env -u FACELYZR_MODEL_DIR "$@"; }
for program in facelyzr facelyzr-run-host; do
    line=$(run "$bin/$program" analyze face.png --json) || fail "$program analyze without --model failed"
    [[ "$line" == *"\"raw\":$outputs"* ]] || fail "$program analyze: raw outputs are not golden frame 0's ($outputs): $line"
done
run "$bin/facelyzr" analyze face.png > text.txt && grep -q '^face.png: ' text.txt || fail "facelyzr analyze printed no prediction"
run "$bin/facelyzr" analyze --detect --min-face 24 face.png > detect.txt || fail "analyze --detect without --detector failed"
version=$(run "$bin/facelyzr" version)
[[ "$version" == *"facelyzr.blob: $share/facelyzr.blob ("* && "$version" == *"face-detector.blob: $share/face-detector.blob ("* ]] ||
    fail "facelyzr version does not name the installed models: $version"
echo "install-check: the installed facelyzr and facelyzr-run-host analyze a face from $work without --model;" \
     "raw outputs equal golden frame 0's"

# FACELYZR_MODEL_DIR first: a directory holding a damaged copy is used, and reported.
mkdir -p "$scratch/models"
head -c 1000 "$share/facelyzr.blob" > "$scratch/models/facelyzr.blob"
message=$(FACELYZR_MODEL_DIR="$scratch/models" "$bin/facelyzr" analyze face.png 2>&1) && fail "a damaged model in FACELYZR_MODEL_DIR was not refused"
for place in "1. \$FACELYZR_MODEL_DIR: $scratch/models/facelyzr.blob" "2. next to the executable: $share/facelyzr.blob" "3. checkout: none above"; do
    [[ "$message" == *"$place"* ]] || fail "the damaged-model message does not name '$place': $message"
done
[[ "$message" == *"the default model $scratch/models/facelyzr.blob: not a valid model blob"* ]] || fail "no damage named: $message"
# Damaged where installed, then missing everywhere.
cp "$scratch/models/facelyzr.blob" "$share/facelyzr.blob"
message=$(run "$bin/facelyzr-run-host" analyze face.png 2>&1) && fail "a damaged installed model was not refused"
[[ "$message" == *"the default model $share/facelyzr.blob: not a valid model blob"* && "$message" == *"1. \$FACELYZR_MODEL_DIR: not set"* ]] ||
    fail "the damaged installed model's message: $message"
rm "$share/facelyzr.blob"
message=$(run "$bin/facelyzr" analyze face.png 2>&1) && fail "a missing model was not reported"
[[ "$message" == *"no facelyzr.blob (the default model) found"* && "$message" == *"$share/facelyzr.blob (not there)"* &&
   "$message" == *"3. checkout: none above"* ]] || fail "the missing-model message: $message"
echo "install-check: FACELYZR_MODEL_DIR comes first; damaged and missing default models name every place looked in"

cd "$root"
make --no-print-directory uninstall DESTDIR="$dest" PREFIX="$prefix"
left=$(find "$dest" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "install-check: PASS"
