import FacelyzrBlobBuilder
@testable import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// Heads that are a 1x1 convolution at every place of a map (format version 4,
/// docs/quantization.md "Heads"): through a built blob, `predict` leaves the oracle's
/// accumulators (tools/oracle/oracle.py, `perPlaceHeads`) with either kernel set; a blob without
/// them keeps its version; a version-3 stamp, a length that is not whole places and a kernel
/// other than 0 or 1x1 are refused.
@Suite struct PerPlaceHeadTests {
    typealias O = BlobFormat.OpRecord
    let golden: [Golden.PerPlaceHead]

    init() throws { golden = try Golden.load(Golden.Kernels.self, "kernels.json").perPlaceHeads }

    static func blob(_ c: Golden.PerPlaceHead) -> [UInt8] {
        var b = BlobBuilder(name: "places", height: c.input[0], width: c.input[1], pixelFormat: c.input[2] == 1 ? .gray8 : .rgb8)
        b.head("map", kind: .raw, input: b.input, weights: int8s(c.weights), bias: c.bias,
               scales: [Float](repeating: 0.5, count: c.outputCount), labels: (0..<c.outputCount).map { "o\($0)" }, perPlace: true)
        return b.build().bytes
    }

    @Test func predictLeavesTheOraclesAccumulatorsAtEveryPlace() throws {
        #expect(golden.count == 30)
        for (i, c) in golden.enumerated() {
            let pixels = int8s(c.x).map { UInt8(bitPattern: $0) ^ 0x80 }
            try withModel(Self.blob(c)) { model in
                #expect(model.formatVersion == 4)
                #expect(model.outputCount == c.input[0] * c.input[1] * c.outputCount)
                #expect(model.op(0).isPerPlace && model.headDimensions(model.op(0)) == (c.input[0] * c.input[1], c.input[2], c.outputCount))
                #expect(model.parameterCount(op: 0) == UInt64(c.outputCount * (c.input[2] + 1)))
                #expect(run(model, pixels, Reference.self).outputs == c.accumulators, "case \(i), reference")
                #expect(run(model, pixels, Fast.self, packed: true, layerOutputs: false).outputs == c.accumulators, "case \(i), fast")
            }
        }
    }

    @Test func aWholeInputHeadKeepsItsVersionAndOneOverAPixelIsTheSameHead() throws {
        func blob(perPlace: Bool) -> [UInt8] {
            var b = BlobBuilder(name: "one", height: 1, width: 1, pixelFormat: .rgb8)
            b.head("v", kind: .regression, input: b.input, weights: [1, -2, 3, 4, 5, -6], bias: [7, -8], scales: [1, 1], labels: ["a", "b"],
                   perPlace: perPlace)
            return b.build().bytes
        }
        #expect(try withModel(blob(perPlace: false)) { $0.formatVersion } == 1)
        let pixels: [UInt8] = [200, 3, 128]
        let whole = try withModel(blob(perPlace: false)) { run($0, pixels).outputs }
        let perPlace = try withModel(blob(perPlace: true)) { run($0, pixels).outputs }
        #expect(whole == perPlace && whole == [72 + 250 + 7, 288 - 625 - 8])
    }

    @Test func hostileRecordsAreRefused() throws {
        let bytes = Self.blob(golden[1])
        var old = BlobPatch(bytes: bytes)
        old.set(BlobFormat.Header.version, UInt32(3))
        #expect(old.openError() == .reservedNotZero(offset: UInt64(old.op(0) + O.kernelHeight)))
        var stride = BlobPatch(bytes: bytes)
        stride.set(stride.op(0) + O.strideWidth, UInt8(2))
        #expect(stride.openError() == .reservedNotZero(offset: UInt64(stride.op(0) + O.kernelHeight)))
        var partial = BlobPatch(bytes: bytes)
        let length = partial.u32(partial.op(0) + O.outputLength)
        partial.set(partial.op(0) + O.outputLength, length - 1)
        #expect(partial.openError() == .invalidField(.opOutput, section: .ops, offset: UInt64(partial.op(0) + O.output), value: 0))
    }
}
