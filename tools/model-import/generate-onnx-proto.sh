#!/usr/bin/env bash
# Regenerates Sources/FacelyzrModelImport/Generated/onnx.pb.swift from onnx.proto of the pinned
# ONNX release (its PyPI wheel), with Debian's protoc and protoc-gen-swift built once from the
# pinned swift-protobuf in a scratch folder outside the repository. The generated file is
# committed: the plugin is not part of the package's build graph (its first build takes
# minutes). Versions are listed in Sources/FacelyzrModelImport/Generated/README.md; change them
# there and here together.
# Usage: tools/model-import/generate-onnx-proto.sh   (needs protoc: apt-get install protobuf-compiler)
set -euo pipefail
cd "$(dirname "$0")/../.."
onnx_version=1.23.2
onnx_proto_sha256=547214dd049486a4d5ecbae593e9c72d90b5e8d603944b722eff469e0b5a9cc9
swift_protobuf_version=1.39.0
protoc_version="libprotoc 3.21.12"
out=Sources/FacelyzrModelImport/Generated

command -v protoc > /dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }
[ "$(protoc --version)" = "$protoc_version" ] || echo "note: $(protoc --version), the committed file was made with $protoc_version" >&2

scratch="${TMPDIR:-/tmp}/facelyzr-protoc-gen-swift-$swift_protobuf_version"
plugin="$scratch/.build/release/protoc-gen-swift"
if [ ! -x "$plugin" ]; then
    rm -rf "$scratch"
    git clone --quiet https://github.com/apple/swift-protobuf "$scratch"
    git -C "$scratch" checkout --quiet "$swift_protobuf_version"
    (cd "$scratch" && swift build -c release --product protoc-gen-swift)
fi
[ "$("$plugin" --version)" = "protoc-gen-swift $swift_protobuf_version" ]

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: "onnx==$onnx_version" -d "$tmp"
python3 - "$tmp"/onnx-*.whl "$tmp/onnx.proto" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("onnx/onnx.proto"))
PY
echo "$onnx_proto_sha256  $tmp/onnx.proto" | sha256sum --check --quiet
protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$tmp" --swift_opt=Visibility=Internal --swift_out="$tmp" onnx.proto
mkdir -p "$out"
mv "$tmp/onnx.pb.swift" "$out/onnx.pb.swift"
echo "wrote $out/onnx.pb.swift from onnx $onnx_version onnx.proto with $(protoc --version) and protoc-gen-swift $swift_protobuf_version"
