// libFuzzer harness for the ONNX importer (protobuf decoding, graph checks, conversion, folding),
// compiled by tools/fuzz/run-onnx.sh into one module with the importer's parsing sources
// (docs/model-import.md "Fuzzing").
//
// Each input is an untrusted file: the importer must either return a graph or throw a
// ModelImportError, never crash or read out of bounds. A graph it returns must be well formed:
// nodes read only earlier nodes (or the input), shapes are positive, parameters match shapes.

import Glibc

/// Inputs that imported as a graph (printed at exit).
nonisolated(unsafe) var imported = 0

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    atexit { print("fuzz-onnx: \(imported) inputs imported as a graph") }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let graph = try? ONNXImport.read(bytes: bytes, file: "fuzz") else { return 0 }
    imported += 1
    checkImportedGraph(graph)
    return 0
}
