import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrRuntime

/// A validated blob with the buffers to run it: the quantizer's integer simulation is the
/// runtime itself (`Model.predict`), never a second implementation. One image at a time, one
/// thread at a time (the arena is reused).
public final class Int8Model {
    public let blob: AlignedBlob
    public let model: Model
    private var arena: [UInt8]
    private var accumulators: [Int32]
    private var layers: [Int8]
    /// `layerOutputRange(op:)` of every op.
    public let layerRanges: [(offset: Int, count: Int)]

    /// Opens (validates) blob bytes.
    public init(bytes: [UInt8]) throws(QuantizerError) {
        blob = AlignedBlob(bytes)
        do { model = try Model(bytes: blob.bytes) } catch { throw .invalidBlob(error) }
        arena = [UInt8](repeating: 0, count: max(model.arenaByteCount, 1))
        accumulators = [Int32](repeating: 0, count: max(model.outputCount, 1))
        layers = [Int8](repeating: 0, count: max(model.layerOutputByteCount, 1))
        var ranges: [(Int, Int)] = []
        var offset = 0
        for i in 0..<model.opCount {
            let count = model.op(i).kind == .fullyConnectedAccumulators ? 0 : model.tensor(model.op(i).output).shape.elementCount
            ranges.append((offset, count))
            offset += count
        }
        layerRanges = ranges
    }

    /// Reads and opens a blob file.
    public convenience init(path: String) throws(QuantizerError) {
        let bytes: [UInt8]
        do { bytes = try ReadOnlyFile.readAll(path: path) } catch { throw .file(error) }
        try self.init(bytes: bytes)
    }

    /// Input image shape `[H, W, C]`.
    public var inputShape: [Int] { [model.input.height, model.input.width, model.input.channels] }

    /// Runs one image; returns the real head outputs (`scale * accumulator`: logits, years).
    public func predict(_ pixels: [UInt8]) -> [Float] {
        run(pixels, layerOutputs: false)
        return (0..<model.outputCount).map { dequantizeHeadOutput(accumulators[$0], scale: model.outputScale($0)) }
    }

    /// Runs one image and returns every op's int8 output dequantised (empty for head ops).
    public func predictLayers(_ pixels: [UInt8]) -> (outputs: [Float], layers: [[Float]]) {
        run(pixels, layerOutputs: true)
        let outputs = (0..<model.outputCount).map { dequantizeHeadOutput(accumulators[$0], scale: model.outputScale($0)) }
        let layerValues = (0..<model.opCount).map { i -> [Float] in
            let (offset, count) = layerRanges[i]
            guard count > 0 else { return [] }
            let t = model.tensor(model.op(i).output)
            return layers[offset..<(offset + count)].map { t.scale * Float(Int32($0) - t.zeroPoint) }
        }
        return (outputs, layerValues)
    }

    private func run(_ pixels: [UInt8], layerOutputs: Bool) {
        precondition(pixels.count == model.input.byteCount, "image size does not match the model input")
        let m = model
        pixels.withUnsafeBufferPointer { p in
            arena.withUnsafeMutableBytes { a in
                accumulators.withUnsafeMutableBufferPointer { o in
                    if layerOutputs {
                        layers.withUnsafeMutableBufferPointer { l in
                            m.predict(pixels: p.baseAddress!, arena: a.baseAddress!, outputs: o.baseAddress!, layerOutputs: l.baseAddress!)
                        }
                    } else {
                        m.predict(pixels: p.baseAddress!, arena: a.baseAddress!, outputs: o.baseAddress!)
                    }
                }
            }
        }
    }
}
