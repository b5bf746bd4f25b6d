// libFuzzer harness for the blob validator and executor, compiled into one module with the
// runtime sources by tools/fuzz/run.sh (docs/blob-format.md "Fuzzing").
//
// Each input is copied into exact-size, 16-byte aligned memory (so AddressSanitizer sees any
// read past it), its file size and both checksums are rewritten so the structural validation
// is what gets exercised, and a blob that opens is run through predict with buffers of exactly
// the sizes the model declares, once with Fast and once with Reference kernels, which must agree.

import Glibc

/// Inputs that opened as a model, and those run through predict (printed at exit).
nonisolated(unsafe) var opened = 0
nonisolated(unsafe) var predicted = 0

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    atexit { print("fuzz-blob: \(opened) inputs opened as a model, \(predicted) run through predict") }
    return 0
}

/// Models larger than this are validated but not run, to keep each input fast.
let maximumFuzzedArena = 1 << 22
let maximumFuzzedMACs: UInt64 = 1 << 22

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBlob(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    buffer.copyMemory(from: data, byteCount: size)
    seal(buffer, size)
    guard let model = try? Model(bytes: UnsafeRawBufferPointer(start: buffer, count: size)) else { return 0 }
    opened += 1

    var macs: UInt64 = 0
    for op in 0..<model.opCount { macs += model.multiplyAccumulates(op: op) }
    guard model.arenaByteCount <= maximumFuzzedArena, macs <= maximumFuzzedMACs,
          model.input.byteCount <= maximumFuzzedArena else { return 0 }
    let pixels = UnsafeMutablePointer<UInt8>.allocate(capacity: model.input.byteCount)
    let arena = UnsafeMutableRawPointer.allocate(byteCount: model.arenaByteCount, alignment: 1)
    let outputs = UnsafeMutablePointer<Int32>.allocate(capacity: model.outputCount)
    let layers = UnsafeMutablePointer<Int8>.allocate(capacity: model.layerOutputByteCount)
    let referenceOutputs = UnsafeMutablePointer<Int32>.allocate(capacity: model.outputCount)
    let referenceLayers = UnsafeMutablePointer<Int8>.allocate(capacity: model.layerOutputByteCount)
    defer {
        pixels.deallocate()
        arena.deallocate()
        outputs.deallocate()
        layers.deallocate()
        referenceOutputs.deallocate()
        referenceLayers.deallocate()
    }
    for i in 0..<model.input.byteCount { pixels[i] = UInt8(truncatingIfNeeded: i &* 131 &+ size) }
    model.predict(using: Fast.self, pixels: pixels, arena: arena, outputs: outputs, layerOutputs: layers)
    // Differential check: the fast kernels must equal the reference on every model that opens.
    model.predict(using: Reference.self, pixels: pixels, arena: arena, outputs: referenceOutputs, layerOutputs: referenceLayers)
    for i in 0..<model.outputCount where outputs[i] != referenceOutputs[i] { fatalError("Fast != Reference: output \(i)") }
    for i in 0..<model.layerOutputByteCount where layers[i] != referenceLayers[i] { fatalError("Fast != Reference: layer byte \(i)") }
    predicted += 1
    var sink: Float = 0
    for i in 0..<model.outputCount {
        sink += model.prediction(output: i, outputs: outputs)
        sink += Float(model.outputLabel(i).count)
    }
    for h in 0..<model.headCount { sink += Float(model.head(h).name.count) }
    sink += Float(model.name.count)
    return sink.isNaN ? 0 : 0
}

/// Rewrites the file size and both checksums of the blob in place (when the header allows).
func seal(_ blob: UnsafeMutableRawPointer, _ size: Int) {
    typealias H = BlobFormat.Header
    guard size >= H.size else { return }
    blob.storeBytes(of: UInt64(size).littleEndian, toByteOffset: H.fileSize, as: UInt64.self)
    let headerSize = Int(UnsafeRawPointer(blob).u32(H.headerSize))
    guard headerSize >= H.size, headerSize <= size else { return }
    let payload = BlobFormat.payloadChecksum(blob, headerSize: headerSize, fileSize: size)
    blob.storeBytes(of: payload.littleEndian, toByteOffset: H.payloadChecksum, as: UInt32.self)
    let header = BlobFormat.headerChecksum(blob, headerSize: headerSize)
    blob.storeBytes(of: header.littleEndian, toByteOffset: H.headerChecksum, as: UInt32.self)
}
