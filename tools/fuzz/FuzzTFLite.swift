// libFuzzer harness for the TFLite importer (flatbuffers' Verifier and the C view in
// CFacelyzrTFLite, then conversion and folding), compiled by tools/fuzz/run-tflite.sh with the
// importer's sources (docs/model-import.md "Fuzzing").
//
// Each input is an untrusted file: the importer must either return a graph or throw a
// ModelImportError, never crash or read out of bounds (AddressSanitizer covers the C++ too).

import Glibc

/// Inputs that imported as a graph (printed at exit).
nonisolated(unsafe) var imported = 0

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    atexit { print("fuzz-tflite: \(imported) inputs imported as a graph") }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTFLite(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let graph = try? TFLiteImport.read(bytes: bytes, file: "fuzz.tflite") else { return 0 }
    imported += 1
    checkImportedGraph(graph)
    return 0
}
