import FacelyzrFiles
import FacelyzrRuntime

/// A model blob loaded to run on the host, as a board program holds one: the blob's bytes in
/// 16-byte aligned memory, the validated `Model` over them, the weights packed once for
/// `DefaultKernels` (docs/kernels.md), and the arena and output buffers every call reuses, so
/// `run` allocates nothing. The CLI, the quantizer's calibration, drift and evaluation, and the
/// tests all run models through this one type: the integer results are the runtime's own.
///
/// One image at a time, one thread at a time (the arena is reused); threads each load their own.
public final class LoadedModel {
    /// The blob's bytes, in memory this object owns.
    public let bytes: UnsafeRawBufferPointer
    /// The validated model. It points into `bytes`: keep this object alive while using it.
    public let model: Model
    /// The weights packed for `DefaultKernels` (what `Model.predict` and `Localiser.detect`
    /// take), or nil when those kernels read the blob's canonical weights.
    public let packedWeights: UnsafeRawPointer?
    /// `model.layerOutputRange(op:)` of every op: where its int8 output is in `layerOutputs`.
    public let layerRanges: [(offset: Int, count: Int)]
    private let arena: UnsafeMutableRawPointer
    private let outputs: UnsafeMutableBufferPointer<Int32>
    /// Made by the first `run(_:layerOutputs: true)`: only the debug path needs it.
    private var layers: UnsafeMutableBufferPointer<Int8>?

    /// Opens (validates) blob bytes, copied into aligned memory.
    public convenience init(bytes source: [UInt8]) throws(BlobError) {
        let blob = Self.allocateBlob(byteCount: source.count)
        source.withUnsafeBytes { if let from = $0.baseAddress { blob.baseAddress!.copyMemory(from: from, byteCount: $0.count) } }
        try self.init(owning: blob)
    }

    /// Reads and opens the blob file at `path`.
    public convenience init(path: String) throws(ModelFileError) {
        let file: ReadOnlyFile
        do { file = try ReadOnlyFile(path: path) } catch { throw .unreadable(error) }
        let storage = Self.allocateBlob(byteCount: file.byteCount)
        let count: Int
        do {
            count = try file.read(into: storage, at: 0)
        } catch {
            storage.deallocate()
            throw .unreadable(error)
        }
        // A file that shrank since it was opened reads short: validation reports it truncated.
        let blob = UnsafeMutableRawBufferPointer(rebasing: storage[..<count])
        do {
            try self.init(owning: blob)
        } catch {
            throw .invalidBlob(path: path, error)
        }
    }

    /// Takes ownership of `blob` (from `allocateBlob`), validates it, packs the weights and
    /// makes the buffers; on failure `blob` is freed.
    private init(owning blob: UnsafeMutableRawBufferPointer) throws(BlobError) {
        let model: Model
        do {
            model = try Model(bytes: UnsafeRawBufferPointer(blob))
        } catch {
            blob.deallocate()
            throw error
        }
        bytes = UnsafeRawBufferPointer(blob)
        self.model = model
        let packedByteCount = model.packedWeightsByteCount(for: DefaultKernels.self)
        if packedByteCount > 0 {
            let packed = UnsafeMutableRawPointer.allocate(byteCount: packedByteCount, alignment: 64)
            model.packWeights(for: DefaultKernels.self, into: packed)
            packedWeights = UnsafeRawPointer(packed)
        } else {
            packedWeights = nil
        }
        layerRanges = (0..<model.opCount).map { model.layerOutputRange(op: $0) }
        arena = .allocate(byteCount: max(model.arenaByteCount, 1), alignment: 64)
        outputs = .allocate(capacity: max(model.outputCount, 1))
        outputs.initialize(repeating: 0)
    }

    /// Room for a blob of `byteCount` bytes at the alignment `Model(bytes:)` requires.
    private static func allocateBlob(byteCount: Int) -> UnsafeMutableRawBufferPointer {
        let storage = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(byteCount, 1), alignment: Int(BlobFormat.minimumSectionAlignment))
        return UnsafeMutableRawBufferPointer(rebasing: storage[..<byteCount])
    }

    deinit {
        UnsafeMutableRawPointer(mutating: bytes.baseAddress!).deallocate()
        packedWeights.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        arena.deallocate()
        outputs.deallocate()
        layers?.deallocate()
    }

    /// The model's input (size and pixel format of the images `run` takes).
    public var input: ModelInput { model.input }

    /// The int32 head outputs of the last `run` (`Model.prediction(output:outputs:)` reads them).
    public var rawOutputs: UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(rebasing: outputs[..<model.outputCount])
    }

    /// Every int8 op's output of the last `run(_:layerOutputs: true)`, op after op
    /// (`layerRanges`); empty before the first such run.
    public var layerOutputs: UnsafeBufferPointer<Int8> {
        layers.map { UnsafeBufferPointer(rebasing: $0[..<model.layerOutputByteCount]) } ?? UnsafeBufferPointer(start: nil, count: 0)
    }

    /// Runs the model on one image (`input.byteCount` bytes) with the packed weights; the head
    /// outputs are in `rawOutputs` until the next call. With `layerOutputs`, also copies every
    /// int8 op's output into `layerOutputs` (the debug path of `Model.predict`). Allocates
    /// nothing, except the layer buffer on the first run that asks for it.
    public func run(_ pixels: UnsafeBufferPointer<UInt8>, layerOutputs: Bool = false) {
        precondition(pixels.count == model.input.byteCount, "the image size does not match the model input")
        var layerPointer: UnsafeMutablePointer<Int8>?
        if layerOutputs {
            if layers == nil { layers = .allocate(capacity: max(model.layerOutputByteCount, 1)) }
            layerPointer = layers!.baseAddress
        }
        model.predict(using: DefaultKernels.self, pixels: pixels.baseAddress!, arena: arena, outputs: outputs.baseAddress!,
                      layerOutputs: layerPointer, packedWeights: packedWeights)
    }

    /// Runs one image and returns the real head outputs, `scale * accumulator`: logits of
    /// binary and multi-label heads, values (years) of regression heads.
    public func headOutputs(_ pixels: [UInt8]) -> [Float] {
        pixels.withUnsafeBufferPointer { run($0) }
        return realOutputs()
    }

    /// Runs one image and returns the real head outputs and every op's int8 output dequantised
    /// (`scale * (q - zeroPoint)`; empty for the ops that write head outputs).
    public func predictLayers(_ pixels: [UInt8]) -> (outputs: [Float], layers: [[Float]]) {
        pixels.withUnsafeBufferPointer { run($0, layerOutputs: true) }
        let layerValues = (0..<model.opCount).map { op -> [Float] in
            let (offset, count) = layerRanges[op]
            guard count > 0 else { return [] }
            let t = model.tensor(model.op(op).output)
            if t.layout == .nhwcInt16 {  // little-endian int16 bytes (zero point 0)
                return stride(from: offset, to: offset + count, by: 2).map {
                    t.scale * Float(Int16(bitPattern: UInt16(UInt8(bitPattern: layers![$0])) | UInt16(UInt8(bitPattern: layers![$0 + 1])) << 8))
                }
            }
            return layers![offset..<(offset + count)].map { t.scale * Float(Int32($0) - t.zeroPoint) }
        }
        return (realOutputs(), layerValues)
    }

    private func realOutputs() -> [Float] {
        (0..<model.outputCount).map { dequantizeHeadOutput(outputs[$0], scale: model.outputScale($0)) }
    }
}

/// A model file that could not be opened, naming the file.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(FileError)
    /// The file is not a model blob the runtime accepts.
    case invalidBlob(path: String, BlobError)

    public var description: String {
        switch self {
        case .unreadable(let error): "\(error)"
        case .invalidBlob(let path, let error): "\(path): not a valid model blob: \(Self.words(error))"
        }
    }

    /// What a user who gave the wrong file most often meets, in words (an empty or short file,
    /// another kind of file, a damaged copy); the validator's other findings keep their case
    /// and fields, which name the offset (docs/blob-format.md "Validation").
    static func words(_ error: BlobError) -> String {
        switch error {
        case let .truncated(needed, available): "the file has \(available) bytes, a blob needs at least \(needed) here (empty or cut short)"
        case .badMagic: "the file does not start with FACELYZR (not a model blob)"
        case let .unsupportedVersion(version): "blob format version \(version) is not one this facelyzr opens"
        case let .fileSizeMismatch(declared, actual): "the file has \(actual) bytes, its header says \(declared) (cut short or damaged)"
        case .headerChecksumMismatch: "the header's checksum does not match (damaged)"
        case .payloadChecksumMismatch: "the payload's checksum does not match (damaged)"
        default: "\(error)"
        }
    }
}
