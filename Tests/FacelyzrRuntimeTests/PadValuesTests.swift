import FacelyzrBlobBuilder
@testable import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// The pad with per-channel values (format version 3, docs/quantization.md "Pad"): in a model its
/// padded cells hold the values and the copied cells the input; values equal to the zero point
/// are the plain pad (same blob, same version); hostile fills are refused.
@Suite struct PadValuesTests {
    typealias O = BlobFormat.OpRecord
    static let values: [Int8] = [-128, 127, 0, 10, 11, -5, 60, 10]  // TestModels.heads' pad, op 4

    @Test func paddedCellsHoldTheirChannelsValues() throws {
        try withModel(TestModels.heads().build().bytes) { model in
            let o = model.op(4)
            #expect(o.kind == .pad && o.padValues)
            let input = model.tensor(o.input).shape, output = model.tensor(o.output).shape
            #expect(output == TensorShape(height: input.height + 1, width: input.width + 1, channels: 8))
            let result = run(model, TestModels.pixels(model.input.byteCount))
            let before = model.layerOutputRange(op: 3), after = model.layerOutputRange(op: 4)
            let x = Array(result.layers[before.offset..<(before.offset + before.count)])
            let y = Array(result.layers[after.offset..<(after.offset + after.count)])
            for row in 0..<output.height {
                for column in 0..<output.width {
                    for c in 0..<8 {
                        let inside = row < input.height && column < input.width
                        let expected = inside ? x[(row * input.width + column) * 8 + c] : Self.values[c]
                        #expect(y[(row * output.width + column) * 8 + c] == expected)
                    }
                }
            }
        }
    }

    @Test func valuesOfTheZeroPointAreThePlainPad() throws {
        func blob(_ values: [Int8]) -> [UInt8] {
            var b = BlobBuilder(name: "pad", height: 3, width: 3, pixelFormat: .gray8)
            let x = b.pad(b.input, top: 1, left: 1, values: values)
            b.head("v", kind: .regression, input: x, weights: [Int8](repeating: 1, count: 16), bias: [0], scales: [1], labels: ["v"])
            return b.build().bytes
        }
        #expect(blob([0]) == blob([]))
        #expect(try withModel(blob([0])) { $0.formatVersion } == 2)
        #expect(try withModel(blob([-7])) { $0.formatVersion } == 3)
        // A version-2 blob cannot fill with values; values must lie in the weights section.
        var old = BlobPatch(bytes: blob([-7]))
        old.set(BlobFormat.Header.version, UInt32(2))
        #expect(old.openError() == .invalidField(.padding, section: .ops, offset: UInt64(old.op(0) + O.padFill), value: 1))
        var outside = BlobPatch(bytes: blob([-7]))
        outside.set(outside.op(0) + O.weights, UInt64(1 << 20))
        #expect(outside.openError() == .weightsOutOfBounds(op: 0, offset: 1 << 20, byteCount: 1))
        var fill = BlobPatch(bytes: blob([-7]))
        fill.set(fill.op(0) + O.padFill, UInt8(2))
        #expect(fill.openError() == .invalidField(.padding, section: .ops, offset: UInt64(fill.op(0) + O.padFill), value: 2))
        let zeroPointOutput: [Int32] = try withModel(blob([0])) { run($0, [128, 128, 128, 128, 128, 128, 128, 128, 128]).outputs }
        let valuesOutput: [Int32] = try withModel(blob([-7])) { run($0, [128, 128, 128, 128, 128, 128, 128, 128, 128]).outputs }
        #expect(zeroPointOutput == [0] && valuesOutput == [-7 * 7])  // 7 padded cells of a 4x4 output
    }
}
