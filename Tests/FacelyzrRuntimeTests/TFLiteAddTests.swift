import FacelyzrBlobBuilder
import FacelyzrRuntime
import Foundation
import Testing

/// The add is bit-exact with TFLite 2.21's reference ADD int8 kernel (BUILTIN_REF), parameter
/// choice included: Golden/tflite-add.json holds, per case, the scales and zero points the TFLite
/// converter chose and the CRC-32 of what TFLite's reference kernel output on all 65,536 pairs of
/// int8 inputs (tools/peers/tflite_add_reference.py, which also checks the oracle against them).
@Suite struct TFLiteAddTests {
    struct File: Decodable {
        struct Case: Decodable {
            var scales: [UInt32]
            var zeroPoints: [Int32]
            var clamp: [Int32]
            var crc32: UInt32
            var first: [UInt8]
        }
        var cases: [Case]
    }

    @Test func everyInputPairMatchesTFLiteReferenceAdd() throws {
        let file = try Golden.load(File.self, "tflite-add.json")
        #expect(file.cases.count == 8)
        let first = (0..<65_536).map { Int8(truncatingIfNeeded: -128 + $0 / 256) }
        let second = (0..<65_536).map { Int8(truncatingIfNeeded: -128 + $0 % 256) }
        for (i, c) in file.cases.enumerated() {
            let s = c.scales.map(Float.init(bitPattern:))
            let r = try #require(BlobBuilder.addRequantization(input1: s[0], input2: s[1], output: s[2]))
            let p = AddParameters(
                count: 65_536, input1ZeroPoint: c.zeroPoints[0], input2ZeroPoint: c.zeroPoints[1],
                input1Multiplier: r[0].multiplier, input1Shift: r[0].shift, input2Multiplier: r[1].multiplier,
                input2Shift: r[1].shift, outputMultiplier: r[2].multiplier, outputShift: r[2].shift,
                outputZeroPoint: c.zeroPoints[2], outputMin: c.clamp[0], outputMax: c.clamp[1])
            let plans = [KernelPlan.canonical, KernelPlan(addFor: CPUFeatures.detected)]
            var outputs = [second.withUnsafeBufferPointer { b in
                run(first, outputCount: p.count) { Reference.add(p, input1: $0, input2: b.baseAddress!, output: $1) }
            }]
            for plan in plans {
                outputs.append(second.withUnsafeBufferPointer { b in
                    run(first, outputCount: p.count) { Fast.add(p, plan: plan, input1: $0, input2: b.baseAddress!, output: $1) }
                })
            }
            for (k, y) in outputs.enumerated() {
                let crc = y.withUnsafeBytes { CRC32.update(0, $0.baseAddress!, count: $0.count) }
                #expect(y.prefix(32).map { UInt8(bitPattern: $0) } == c.first, "case \(i), kernel \(k): first outputs")
                #expect(crc == c.crc32, "case \(i), kernel \(k): CRC-32 of the 65,536 outputs")
            }
        }
    }
}
