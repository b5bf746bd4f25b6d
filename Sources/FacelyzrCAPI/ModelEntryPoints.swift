// The C entry points of include/facelyzr.h over `Model`. Each function is the C face of one
// Swift API; the C types map as: size_t = Int, fz_status = Int32, fz_model = raw storage
// holding a `Model`, buffers = pointers sized as the model says. A "layer" is an op, in
// execution order.
import FacelyzrRuntime

/// `FZ_API_VERSION` of facelyzr.h.
public let apiVersion: UInt32 = 1
/// `FZ_MODEL_STORAGE_BYTES` of facelyzr.h: the C caller's storage for one `Model`.
public let modelStorageByteCount = 512
/// The alignment of `fz_model` in facelyzr.h.
public let modelStorageAlignment = 16

/// True when a `Model` fits the C caller's `fz_model` storage (also asserted by the tests).
@inline(__always)
var modelFitsStorage: Bool {
    MemoryLayout<Model>.size <= modelStorageByteCount && MemoryLayout<Model>.alignment <= modelStorageAlignment
}

@inline(__always)
func model(_ storage: UnsafeRawPointer) -> Model {
    storage.assumingMemoryBound(to: Model.self).pointee
}

@_cdecl("fz_api_version")
public func fz_api_version() -> UInt32 { apiVersion }

@_cdecl("fz_model_open")
public func fz_model_open(
    _ bytes: UnsafeRawPointer?, _ length: Int, _ storage: UnsafeMutableRawPointer,
    _ error: UnsafeMutableRawPointer?
) -> Int32 {
    let failure: CError
    if !modelFitsStorage {
        failure = CError(status: .storageTooSmall)
    } else {
        do throws(BlobError) {
            let opened = try Model(bytes: UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : length))
            storage.initializeMemory(as: Model.self, repeating: opened, count: 1)
            return CStatus.ok.rawValue
        } catch {
            failure = CError(error)
        }
    }
    if let error {
        // fz_error: uint64_t offset, int64_t index, int32_t code (no padding before code).
        error.storeBytes(of: failure.offset, toByteOffset: 0, as: UInt64.self)
        error.storeBytes(of: failure.index, toByteOffset: 8, as: Int64.self)
        error.storeBytes(of: failure.status.rawValue, toByteOffset: 16, as: Int32.self)
    }
    return failure.status.rawValue
}

@_cdecl("fz_model_arena_byte_count")
public func fz_model_arena_byte_count(_ storage: UnsafeRawPointer) -> Int {
    model(storage).arenaByteCount
}

@_cdecl("fz_model_input_shape")
public func fz_model_input_shape(
    _ storage: UnsafeRawPointer, _ height: UnsafeMutablePointer<Int>?, _ width: UnsafeMutablePointer<Int>?,
    _ channels: UnsafeMutablePointer<Int>?
) {
    let input = model(storage).input
    height?.pointee = input.height
    width?.pointee = input.width
    channels?.pointee = input.channels
}

@_cdecl("fz_model_output_count")
public func fz_model_output_count(_ storage: UnsafeRawPointer) -> Int {
    model(storage).outputCount
}

@_cdecl("fz_model_predict")
public func fz_model_predict(
    _ storage: UnsafeRawPointer, _ pixels: UnsafePointer<UInt8>, _ arena: UnsafeMutableRawPointer,
    _ outputs: UnsafeMutablePointer<Int32>
) {
    model(storage).predict(pixels: pixels, arena: arena, outputs: outputs)
}

@_cdecl("fz_model_packed_weights_byte_count")
public func fz_model_packed_weights_byte_count(_ storage: UnsafeRawPointer) -> Int {
    model(storage).packedWeightsByteCount(for: DefaultKernels.self)
}

@_cdecl("fz_model_pack_weights")
public func fz_model_pack_weights(_ storage: UnsafeRawPointer, _ packed: UnsafeMutableRawPointer) {
    model(storage).packWeights(for: DefaultKernels.self, into: packed)
}

@_cdecl("fz_model_predict_packed")
public func fz_model_predict_packed(
    _ storage: UnsafeRawPointer, _ pixels: UnsafePointer<UInt8>, _ arena: UnsafeMutableRawPointer,
    _ packed: UnsafeRawPointer, _ outputs: UnsafeMutablePointer<Int32>
) {
    model(storage).predict(
        using: DefaultKernels.self, pixels: pixels, arena: arena, outputs: outputs, layerOutputs: nil,
        packedWeights: packed)
}

@_cdecl("fz_model_layer_count")
public func fz_model_layer_count(_ storage: UnsafeRawPointer) -> Int {
    model(storage).opCount
}

@_cdecl("fz_model_layer_output_byte_count")
public func fz_model_layer_output_byte_count(_ storage: UnsafeRawPointer, _ index: Int) -> Int {
    let model = model(storage)
    return index >= 0 && index < model.opCount ? model.layerOutputRange(op: index).count : 0
}

@_cdecl("fz_model_predict_layers")
public func fz_model_predict_layers(
    _ storage: UnsafeRawPointer, _ pixels: UnsafePointer<UInt8>, _ arena: UnsafeMutableRawPointer,
    _ outputs: UnsafeMutablePointer<Int32>, _ layerOutputs: UnsafeMutablePointer<Int8>
) {
    model(storage).predict(pixels: pixels, arena: arena, outputs: outputs, layerOutputs: layerOutputs)
}
