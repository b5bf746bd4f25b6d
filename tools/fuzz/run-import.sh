#!/usr/bin/env bash
# Fuzzes a model importer with libFuzzer under AddressSanitizer: FORMAT onnx (ONNXImport.read(bytes:))
# or tflite (TFLiteImport.read(bytes:), with the flatbuffers C++ of CFacelyzrTFLite under ASan too).
# Usage: tools/fuzz/run-import.sh onnx|tflite [RUNS]   (default 20000; the issue's check is 1000000)
#   (tools/fuzz/run-onnx.sh and run-tflite.sh run it for one format)
# Builds, with swiftc and no SwiftPM, the modules the importer's parsing reads (FacelyzrRandom,
# FacelyzrFiles, the tensor and activation types of FacelyzrTrainer, swift-protobuf's runtime from
# the package checkout), the C view of TFLite files with clang++, and the importer's parsing sources
# with tools/fuzz/Fuzz{ONNX,TFLite}.swift. The seed corpus is the committed fixtures of the format;
# the working corpus lives in .build/fuzz-FORMAT.
set -euo pipefail
cd "$(dirname "$0")/../.."
format="${1:?usage: run-import.sh onnx|tflite [RUNS]}"
runs="${2:-20000}"
case "$format" in
    onnx) harness=FuzzONNX ;;
    tflite) harness=FuzzTFLite ;;
    *) echo "unknown format $format (onnx or tflite)" >&2; exit 2 ;;
esac
out=.build/fuzz-$format
mkdir -p "$out/corpus" "$out/modules/CFacelyzrTFLite"
cp Tests/FacelyzrModelImportTests/Fixtures/*."$format" "$out/corpus/"
protobuf=.build/checkouts/swift-protobuf/Sources/SwiftProtobuf
[ -d "$protobuf" ] || swift package resolve
flags=(-sanitize=fuzzer,address -parse-as-library -O -I "$out/modules" -L "$out/modules")
module() {  # NAME FILES...: a static library and its module
    local name="$1"
    shift
    swiftc "${flags[@]}" -module-name "$name" -emit-library -static -emit-module \
        -emit-module-path "$out/modules/$name.swiftmodule" -o "$out/modules/lib$name.a" "$@"
}
tflite=Sources/CFacelyzrTFLite
printf 'module CFacelyzrTFLite {\n    header "%s"\n    export *\n}\n' "$PWD/$tflite/include/fz_tflite.h" > "$out/modules/CFacelyzrTFLite/module.modulemap"
if ! {
    module FacelyzrRandom Sources/FacelyzrRandom/*.swift &&
    module FacelyzrFiles Sources/FacelyzrFiles/*.swift &&
    module FacelyzrTrainer Sources/FacelyzrTrainer/{Tensor,Activation,BoxMullerNormal}.swift -lFacelyzrRandom &&
    { [ "$out/modules/libSwiftProtobuf.a" -nt "$protobuf" ] || module SwiftProtobuf -package-name swift_protobuf "$protobuf"/*.swift; } &&
    clang++ -O1 -g -fsanitize=fuzzer-no-link,address -I "$tflite/include" -c "$tflite/fz_tflite.cpp" -o "$out/modules/fz_tflite.o" &&
    swiftc "${flags[@]}" -module-name "$harness" \
        Sources/FacelyzrModelImport/{ONNXImport,Folding,ImportedGraph,ModelImportError,TFLiteImport,TFLiteModel}.swift \
        Sources/FacelyzrModelImport/Generated/onnx.pb.swift tools/fuzz/{"$harness",ImportedGraphChecks}.swift "$out/modules/fz_tflite.o" \
        -lSwiftProtobuf -lFacelyzrTrainer -lFacelyzrFiles -lFacelyzrRandom -lstdc++ -o "$out/fuzz-$format"
} > "$out/build.log" 2>&1; then
    cat "$out/build.log"
    exit 1
fi
start=$(date +%s)
"$out/fuzz-$format" -runs="$runs" -seed=1 -max_len=16384 -print_final_stats=1 "$out/corpus" > "$out/fuzz.log" 2>&1 \
    || { tail -n 60 "$out/fuzz.log"; exit 1; }
grep -E "^(Done|stat::|fuzz-$format)" "$out/fuzz.log"
echo "fuzz-$format: $runs inputs in $(( $(date +%s) - start )) s, no crash"
