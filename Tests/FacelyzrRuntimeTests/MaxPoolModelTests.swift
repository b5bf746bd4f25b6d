import FacelyzrBlobBuilder
@testable import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// Version 3's ops in a model (`TestModels.heads()`: conv 7x7 stride 2 valid, max pool 3x3
/// stride 2 valid, max pool 3x3 stride 1 same with a clamp): every kernel set agrees, the max
/// pools are TFLite's (padding cells take no part), and hostile records are refused.
@Suite struct MaxPoolModelTests {
    typealias O = BlobFormat.OpRecord
    let blob = BlobPatch(TestModels.heads())
    /// Ops of `TestModels.heads`: 0 conv 7x7/2, 1 max pool 3x3/2, 2 conv 3x3, 3 max pool 3x3/1 same,
    /// 4 pad with values, 5 global average pool, 6-8 heads.
    static let maxPools = [1, 3]

    /// A 3x3 max pool, stride 1, same, over stored values all below the zero point: padding cells
    /// take no part (TFLite MAX_POOL_2D), so every output is the window's largest real input, never
    /// the zero point; valid 3x3 stride 2 over 5x5 gives the four windows' maxima; the clamp last.
    @Test func maxPoolIsTFLitesOnHandWorkedCases() {
        let shape = TensorShape(height: 3, width: 3, channels: 1)
        let same = MaxPoolParameters(input: shape, output: shape, kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1,
                                     padTop: 1, padLeft: 1)
        let negative: [Int8] = [-100, -90, -80, -70, -60, -50, -40, -30, -20]
        #expect(run(negative, outputCount: 9) { Reference.maxPool(same, input: $0, output: $1) } == [-60, -50, -50, -30, -20, -20, -30, -20, -20])
        let five = TensorShape(height: 5, width: 5, channels: 1)
        let valid = MaxPoolParameters(input: five, output: TensorShape(height: 2, width: 2, channels: 1), kernelHeight: 3, kernelWidth: 3,
                                      strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0)
        let ramp = (0..<25).map { Int8($0 * 5 - 60) }  // row-major 0...24, scaled
        let maxima: [Int8] = [0, 10, 50, 60]  // inputs 12, 14, 22 and 24
        #expect(run(ramp, outputCount: 4) { Reference.maxPool(valid, input: $0, output: $1) } == maxima)
        var clamped = valid
        (clamped.outputMin, clamped.outputMax) = (0, 40)
        #expect(run(ramp, outputCount: 4) { Reference.maxPool(clamped, input: $0, output: $1) } == [0, 10, 40, 40])
        for p in [same, valid, clamped] {
            let input = p.input.height == 3 ? negative : ramp
            #expect(run(input, outputCount: p.output.elementCount) { Fast.maxPool(p, input: $0, output: $1) }
                    == run(input, outputCount: p.output.elementCount) { Reference.maxPool(p, input: $0, output: $1) })
        }
    }

    @Test func everyKernelSetAgreesAndTheVersionIs3() throws {
        try withModel(blob.bytes) { model in
            #expect(model.formatVersion == 3)
            #expect(model.op(0).kernelHeight == 7 && model.op(0).strideHeight == 2)
            #expect(Self.maxPools.map { model.op($0).kind } == [.maxPool, .maxPool])
            #expect(model.tensor(model.op(1).output).shape == TensorShape(height: 3, width: 3, channels: 8))
            #expect(model.multiplyAccumulates(op: 1) == 3 * 3 * 8 * 9)
            for seed in 0..<8 as Range<UInt64> {
                let pixels = TestModels.pixels(model.input.byteCount, seed: seed)
                let reference = run(model, pixels, Reference.self)
                #expect(run(model, pixels, Fast.self) == reference)
                #expect(run(model, pixels, Fast.self, packed: true) == reference)
                #expect(run(model, pixels, Fast.self, packed: true, layerOutputs: false).outputs == reference.outputs)
                // The second max pool's clamp is a ReLU: nothing below its zero point.
                let range = model.layerOutputRange(op: 3)
                #expect(reference.layers[range.offset..<(range.offset + range.count)].allSatisfy { $0 >= 10 })
            }
        }
    }

    @Test func hostileRecordsAreRefused() throws {
        // A kernel of 7 or a max pool makes a version-3 blob, and is refused in a version-2 one.
        for pool in [false, true] {
            var b = BlobBuilder(name: "v3-op", height: 7, width: 7, pixelFormat: .gray8)
            let x = pool ? b.maxPool(b.input, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .valid)
                : b.conv2D(b.input, filters: 1, kernelHeight: 7, kernelWidth: 7, padding: .valid, weights: [Int8](repeating: 1, count: 49),
                           bias: [0], requantization: [.init(real: 0.01)], output: .init(scale: 0.1, zeroPoint: 0))
            b.head("v", kind: .regression, input: x, weights: [Int8](repeating: 1, count: b.shape(x).elementCount), bias: [0],
                   scales: [1], labels: ["v"])
            var old = BlobPatch(b)
            #expect(try withModel(old.bytes) { $0.formatVersion } == 3)
            old.set(BlobFormat.Header.version, UInt32(2))
            #expect(old.openError() == (pool ? .unknownOp(code: 10, offset: UInt64(old.op(0)))
                : .invalidField(.kernelSize, section: .ops, offset: UInt64(old.op(0) + O.kernelHeight), value: 7)))
        }
        // Kernel 8, stride 0 or 8, padding 2, a clamp outside int8, a weight offset: each field checked.
        for (field, value, error) in [
            (O.kernelHeight, UInt8(8), BlobField.kernelSize), (O.kernelWidth, 0, .kernelSize),
            (O.strideHeight, 0, .stride), (O.strideWidth, 8, .stride), (O.padding, 2, .padding),
        ] as [(Int, UInt8, BlobField)] {
            var bad = blob
            bad.set(blob.op(1) + field, value)
            #expect(bad.openError() == .invalidField(error, section: .ops, offset: UInt64(blob.op(1) + field), value: Int64(value)))
        }
        var conv8 = blob
        conv8.set(blob.op(0) + O.kernelWidth, UInt8(8))
        #expect(conv8.openError() == .invalidField(.kernelSize, section: .ops, offset: UInt64(blob.op(0) + O.kernelHeight), value: 8))
        var weights = blob
        weights.set(blob.op(1) + O.weights, UInt64(16))
        #expect(weights.openError() == .reservedNotZero(offset: UInt64(blob.op(1) + O.weights)))
        // Stride 3 makes a 3x3 -> 2x2 pool output: the 3x3x8 tensor no longer fits.
        var stride = blob
        stride.set(blob.op(1) + O.strideHeight, UInt8(3))
        #expect(stride.openError() == .shapeMismatch(op: 1, expected: TensorShape(height: 2, width: 3, channels: 8),
                                                     actual: TensorShape(height: 3, width: 3, channels: 8)))
        // The output must keep the input's zero point.
        var quantization = blob
        let output = Int(blob.u32(blob.op(1) + O.output))
        quantization.set(blob.tensor(output) + BlobFormat.TensorRecord.zeroPoint, Int32(5))
        #expect(quantization.openError() == .quantizationMismatch(op: 1))
    }
}
