#!/usr/bin/env bash
# Fuzzes the ONNX importer (ONNXImport.read(bytes:)) with libFuzzer under AddressSanitizer.
# Usage: tools/fuzz/run-onnx.sh [RUNS]   (default 20000; the issue's check is 1000000)
# Builds, with swiftc and no SwiftPM, the modules the importer's parsing reads (FacelyzrRandom,
# FacelyzrFiles, the tensor and activation types of FacelyzrTrainer, swift-protobuf's runtime from
# the package checkout) and the importer's parsing sources with tools/fuzz/FuzzONNX.swift. The seed
# corpus is the committed ONNX fixtures; the working corpus lives in .build/fuzz-onnx.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-20000}"
out=.build/fuzz-onnx
mkdir -p "$out/corpus" "$out/modules"
cp Tests/FacelyzrModelImportTests/Fixtures/*.onnx "$out/corpus/"
protobuf=.build/checkouts/swift-protobuf/Sources/SwiftProtobuf
[ -d "$protobuf" ] || swift package resolve
flags=(-sanitize=fuzzer,address -parse-as-library -O -I "$out/modules" -L "$out/modules")
module() {  # NAME FILES...: a static library and its module
    local name="$1"
    shift
    swiftc "${flags[@]}" -module-name "$name" -emit-library -static -emit-module \
        -emit-module-path "$out/modules/$name.swiftmodule" -o "$out/modules/lib$name.a" "$@"
}
if ! {
    module FacelyzrRandom Sources/FacelyzrRandom/*.swift &&
    module FacelyzrFiles Sources/FacelyzrFiles/*.swift &&
    module FacelyzrTrainer Sources/FacelyzrTrainer/{Tensor,Activation,BoxMullerNormal}.swift -lFacelyzrRandom &&
    { [ "$out/modules/libSwiftProtobuf.a" -nt "$protobuf" ] || module SwiftProtobuf -package-name swift_protobuf "$protobuf"/*.swift; } &&
    swiftc "${flags[@]}" -module-name FuzzONNX \
        Sources/FacelyzrModelImport/{ONNXImport,Folding,ImportedGraph,ModelImportError}.swift \
        Sources/FacelyzrModelImport/Generated/onnx.pb.swift tools/fuzz/FuzzONNX.swift \
        -lSwiftProtobuf -lFacelyzrTrainer -lFacelyzrFiles -lFacelyzrRandom -o "$out/fuzz-onnx"
} > "$out/build.log" 2>&1; then
    cat "$out/build.log"
    exit 1
fi
start=$(date +%s)
"$out/fuzz-onnx" -runs="$runs" -seed=1 -max_len=8192 -print_final_stats=1 "$out/corpus" > "$out/fuzz.log" 2>&1 \
    || { tail -n 60 "$out/fuzz.log"; exit 1; }
grep -E "^(Done|stat::|fuzz-onnx)" "$out/fuzz.log"
echo "fuzz-onnx: $runs inputs in $(( $(date +%s) - start )) s, no crash"
