#!/usr/bin/env bash
# The Debian packages' check (part of `make test`, after tools/embedded/check.sh built the
# Embedded Swift builds it packages):
#
# 1. deb.sh packages .build-embedded/{aarch64,armv7,x86_64} as facelyzr_VERSION_{arm64,armhf,amd64}.deb
#    (building an ISA first only if its build is missing).
# 2. Each package is extracted (dpkg-deb -x) into a scratch directory; the C examples of
#    docs/boards.md (the blocks starting `/* facelyzr-example.c` and
#    `/* facelyzr-detect-example.c`) are compiled with the package's cross compiler and
#    `pkg-config --cflags --libs facelyzr` pointed at that directory (PKG_CONFIG_SYSROOT_DIR,
#    PKG_CONFIG_LIBDIR).
# 3. The packaged facelyzr-run and the example run (under qemu-user on arm64 and armhf) on the
#    shipped model's golden frames with the packaged model: as in runner-check.sh, each prints
#    the same bytes on the three architectures and its int32 outputs equal
#    firmware-model/golden/outputs.i32. The first 64 frames (DEB_CHECK_FRAMES=512 for all):
#    runner-check.sh has just run the same runner build on all 512, and each qemu run of 512
#    frames takes about 30 s here. The detection example runs on two 128x96 I420 scene frames
#    (tools/embedded/camera-frames.sh) with the packaged models: the same lines on the three
#    architectures, and the same frames, boxes and scores as the packaged runner's --detect.
# 4. The example camera script of the amd64 package, fed the golden frames instead of a camera,
#    writes the runner's lines to a file and through a FIFO; `systemd-analyze verify` has
#    nothing to say about the service (when systemd-analyze is installed).
# 5. lintian on each package: no error and no warning (what it still says at info level is
#    explained in docs/boards.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }

declare -A isa_of=([arm64]=aarch64 [armhf]=armv7 [amd64]=x86_64)
declare -A cc_of=([arm64]=aarch64-linux-gnu-gcc [armhf]=arm-linux-gnueabihf-gcc [amd64]=gcc)
declare -A triplet_of=([arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf [amd64]=x86_64-linux-gnu)
declare -A runner_of=([arm64]="qemu-aarch64 -L /usr/aarch64-linux-gnu" [armhf]="qemu-arm -L /usr/arm-linux-gnueabihf" [amd64]="")
arches=(arm64 armhf amd64)

for arch in "${arches[@]}"; do
    [ -x ".build-embedded/${isa_of[$arch]}/facelyzr-run" ] || bash tools/embedded/build.sh "${isa_of[$arch]}"
done
bash tools/packaging/deb.sh --no-build "${arches[@]}"
version=$(sed -n 's/^ *public static let current = "\([^"]*\)"$/\1/p' Sources/FacelyzrRunCommands/Version.swift)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The first DEB_CHECK_FRAMES golden frames and their outputs.
read -r width height channels output_bytes < <(python3 -c '
import json, os; m = json.load(open("firmware-model/golden/golden.json"))
print(m["width"], m["height"], m["channels"], os.path.getsize("firmware-model/golden/outputs.i32") // m["count"])')
format=$([ "$channels" = 3 ] && echo rgb24 || echo gray8)
frame_bytes=$((width * height * channels))
count=${DEB_CHECK_FRAMES:-64}
frames="$scratch/frames.raw" golden="$scratch/outputs.i32"
head -c $((count * frame_bytes)) firmware-model/golden/inputs.raw > "$frames"
head -c $((count * output_bytes)) firmware-model/golden/outputs.i32 > "$golden"
((count > 0 && $(stat -c %s "$frames") == count * frame_bytes)) || fail "DEB_CHECK_FRAMES=$count: not that many golden frames"
for example in facelyzr-example facelyzr-detect-example; do
    sed -n "/^\/\* $example\\.c/,/^\`\`\`\$/p" docs/boards.md | sed '$d' > "$scratch/$example.c"
    [ -s "$scratch/$example.c" ] || fail "no C example (a block starting '/* $example.c') in docs/boards.md"
done
# The detection example's frames: two 128x96 I420 synthetic scenes (tools/embedded/camera-frames.sh).
head -c $((2 * 128 * 96 * 3 / 2)) "$(bash tools/embedded/camera-frames.sh)/alloc.raw" > "$scratch/scenes.yuv"

# The int32 outputs printed (JSON lines' "raw", or the example's "(N)") against the golden file.
raw_equals_golden() {
    python3 - "$@" <<'PY'
import json, re, struct, sys
kind, path, golden = sys.argv[1:4]
text = open(path).read()
if kind == "jsonl":
    raw = [v for line in text.splitlines() for v in json.loads(line)["raw"]]
else:
    raw = [int(v) for v in re.findall(r"\((-?\d+)\)", text)]
data = open(golden, "rb").read()
sys.exit(0 if raw == list(struct.unpack("<%di" % (len(data) // 4), data)) else 1)
PY
}

# The detection example's frames, boxes and scores (its text) against the runner's JSON lines; at
# least one face, so the comparison is not of empty lists.
same_faces() {
    python3 - "$@" <<'PY'
import json, re, sys
example = [line for line in open(sys.argv[1]).read().splitlines()]
frames = [re.match(r"frame (\d+): (\d+) faces", l).groups() for l in example if l.startswith("frame ")]
faces = [re.match(r"  box (\S+) (\S+) (\S+) (\S+) score (\S+):", l).groups() for l in example if l.startswith("  box ")]
lines = [json.loads(l) for l in open(sys.argv[2])]
expected_frames = [(str(l["frame"]), str(len(l["faces"]))) for l in lines]
expected_faces = [tuple("%.3f" % v for v in f["box"]) + ("%.6f" % f["score"],) for l in lines for f in l["faces"]]
sys.exit(0 if frames == expected_frames and faces == expected_faces and faces else 1)
PY
}

for arch in "${arches[@]}"; do
    package=".build-packages/facelyzr_${version}_$arch.deb"
    tree="$scratch/$arch"
    dpkg-deb -x "$package" "$tree"
    for file in usr/bin/facelyzr-run "usr/lib/${triplet_of[$arch]}/libfacelyzr.a" usr/include/facelyzr.h \
                usr/share/facelyzr/facelyzr.blob usr/share/facelyzr/facelyzr.card.md usr/share/doc/facelyzr/copyright \
                lib/systemd/system/facelyzr-camera.service; do
        [ -f "$tree/$file" ] || fail "$package has no /$file"
    done
    cmp -s "$tree/usr/share/facelyzr/facelyzr.blob" firmware-model/facelyzr.blob || fail "$package: the model differs from firmware-model/"
    flags=$(PKG_CONFIG_SYSROOT_DIR="$tree" PKG_CONFIG_LIBDIR="$tree/usr/lib/${triplet_of[$arch]}/pkgconfig" pkg-config --cflags --libs facelyzr)
    # shellcheck disable=SC2086  # the flags are words
    for example in facelyzr-example facelyzr-detect-example; do
        "${cc_of[$arch]}" -std=c11 -O2 -Wall -Wextra -Werror "$scratch/$example.c" $flags -o "$tree/$example"
    done
    model="$tree/usr/share/facelyzr/facelyzr.blob"
    # shellcheck disable=SC2086  # the runner is a command with arguments
    ${runner_of[$arch]} "$tree/usr/bin/facelyzr-run" "$model" "$width" "$height" "$format" --raw < "$frames" > "$scratch/runner-$arch.jsonl"
    # shellcheck disable=SC2086
    ${runner_of[$arch]} "$tree/facelyzr-example" "$model" < "$frames" > "$scratch/example-$arch.txt"
    # shellcheck disable=SC2086
    ${runner_of[$arch]} "$tree/facelyzr-detect-example" 128 96 "$model" "$tree/usr/share/facelyzr/face-detector.blob" \
        < "$scratch/scenes.yuv" > "$scratch/detect-example-$arch.txt"
    # shellcheck disable=SC2086
    ${runner_of[$arch]} "$tree/usr/bin/facelyzr-run" "$model" --detect "$tree/usr/share/facelyzr/face-detector.blob" \
        --frame-size 128x96 --format yuv420p --max-faces 8 "$scratch/scenes.yuv" > "$scratch/detect-runner-$arch.jsonl"
    raw_equals_golden jsonl "$scratch/runner-$arch.jsonl" "$golden" || fail "$arch: the packaged runner's raw outputs differ from firmware-model/golden/outputs.i32"
    same_faces "$scratch/detect-example-$arch.txt" "$scratch/detect-runner-$arch.jsonl" ||
        fail "$arch: the detection example's faces differ from the packaged runner's --detect"
    raw_equals_golden text "$scratch/example-$arch.txt" "$golden" || fail "$arch: the example's raw outputs differ from firmware-model/golden/outputs.i32"
done
for arch in arm64 armhf; do
    cmp -s "$scratch/runner-amd64.jsonl" "$scratch/runner-$arch.jsonl" || fail "$arch: the packaged runner's lines differ from amd64's"
    cmp -s "$scratch/example-amd64.txt" "$scratch/example-$arch.txt" || fail "$arch: the example's lines differ from amd64's"
    cmp -s "$scratch/detect-example-amd64.txt" "$scratch/detect-example-$arch.txt" || fail "$arch: the detection example's lines differ from amd64's"
done
((count == $(wc -l < "$scratch/runner-amd64.jsonl"))) || fail "the runner printed $(wc -l < "$scratch/runner-amd64.jsonl") lines for $count frames"
echo "deb-check: packaged facelyzr-run and the docs/boards.md example (pkg-config) on $count golden frames:" \
     "identical on arm64, armhf (qemu) and amd64; raw outputs equal golden/outputs.i32"
echo "deb-check: the docs/boards.md detection example (pkg-config) on 2 scene frames: $(grep -c '^  box' "$scratch/detect-example-amd64.txt")" \
     "faces, the packaged runner's --detect boxes and scores; identical on arm64, armhf (qemu) and amd64"

# The camera script, with the golden frames for a camera: into a file, then through a FIFO.
camera() { env PATH="$scratch/amd64/usr/bin:$PATH" FACELYZR_CAMERA="cat $frames" \
    FACELYZR_RUN_ARGS="$scratch/amd64/usr/share/facelyzr/facelyzr.blob $width $height $format --raw" FACELYZR_OUTPUT="$1" \
    bash "$scratch/amd64/usr/libexec/facelyzr/facelyzr-camera"; }
camera "file:$scratch/camera.jsonl"
cmp -s "$scratch/camera.jsonl" "$scratch/runner-amd64.jsonl" || fail "the camera script's file differs from the runner's lines"
camera "fifo:$scratch/camera.fifo" & writer=$!
until [ -p "$scratch/camera.fifo" ]; do sleep 0.1; done
cat "$scratch/camera.fifo" > "$scratch/camera-fifo.jsonl"
wait "$writer" || fail "the camera script through a FIFO exited $?"
cmp -s "$scratch/camera-fifo.jsonl" "$scratch/runner-amd64.jsonl" || fail "the camera script's FIFO lines differ from the runner's"
echo "deb-check: the camera script wrote the runner's $count lines to a file and through a FIFO"
# The unit, its paths pointed into the extracted tree: systemd-analyze must have nothing to say.
if command -v systemd-analyze >/dev/null; then
    sed -e "s|^ExecStart=|ExecStart=$scratch/amd64|" -e "s|^EnvironmentFile=|EnvironmentFile=$scratch/amd64|" \
        "$scratch/amd64/lib/systemd/system/facelyzr-camera.service" > "$scratch/facelyzr-camera.service"
    said=$(systemd-analyze verify "$scratch/facelyzr-camera.service" 2>&1) && [ -z "$said" ] ||
        fail "systemd-analyze verify facelyzr-camera.service: $said"
    echo "deb-check: systemd-analyze verify: facelyzr-camera.service is clean"
fi

if command -v lintian >/dev/null; then
    for arch in "${arches[@]}"; do
        # (lintian warns on stderr when run as root, as in containers)
        lintian --fail-on error,warning --tag-display-limit 0 ".build-packages/facelyzr_${version}_$arch.deb" 2> >(grep -v 'root privileges' >&2) ||
            fail "lintian: errors or warnings on the $arch package"
    done
    echo "deb-check: lintian: no error or warning on the three packages"
else
    echo "deb-check: lintian is not installed: packages not linted" >&2
fi
echo "deb-check: PASS"
