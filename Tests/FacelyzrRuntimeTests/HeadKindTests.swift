import FacelyzrBlobBuilder
@testable import FacelyzrRuntime
import FacelyzrTestSupport
import Foundation
import Testing

/// The head kinds of format version 3 (docs/blob-format.md "Heads", docs/quantization.md
/// "Softmax and expected value"): softmax classes, expected value over bins with the bins' values
/// in the blob, raw values; the oracle's golden heads reproduced bit for bit through a built blob.
@Suite struct HeadKindTests {
    @Test func newHeadKindsMakeVersion3AndKeepTheirBinValues() throws {
        let built = TestModels.heads().build().bytes
        try withModel(built) { model in
            #expect(model.formatVersion == 3)
            #expect(model.headCount == 3 && model.outputCount == 2 + 81 + 4)
            #expect([0, 1, 2].map { model.head($0).kind } == [.softmax, .expectedValue, .raw])
            #expect((2..<83).map { model.outputValue($0) } == (0..<81).map { Float($0) })
            #expect(model.outputValue(0) == 0 && model.outputValue(83) == 0)
        }
        // Without them a model is the blob it was: every v1 and v2 fixture is byte-identical
        // (FormatVersionFixtureTests); here the chain test model stays version 1.
        #expect(try withModel(TestModels.everyOp().build().bytes) { $0.formatVersion } == 1)
    }

    /// The predictions and head results against a float64 computation of the same definitions,
    /// and per output equal to `prediction(output:)`.
    @Test func predictionsAreTheSoftmaxAndTheExpectedValue() throws {
        try withModel(TestModels.heads().build().bytes) { model in
            var decisions = Set<Int>()
            for seed in 0..<16 as Range<UInt64> {
                let outputs = run(model, TestModels.pixels(model.input.byteCount, seed: seed)).outputs
                var predictions = [Float](repeating: .nan, count: model.outputCount)
                outputs.withUnsafeBufferPointer { o in
                    predictions.withUnsafeMutableBufferPointer { model.predictions(outputs: o.baseAddress!, into: $0.baseAddress!) }
                    for i in 0..<model.outputCount {
                        #expect(model.prediction(output: i, outputs: o.baseAddress!).bitPattern == predictions[i].bitPattern)
                    }
                }
                func real(_ i: Int) -> Double { Double(outputs[i]) * Double(model.outputScale(i)) }
                for h in 0..<2 {
                    let head = model.head(h), range = head.firstOutput..<(head.firstOutput + head.outputCount)
                    let top = range.map(real).max()!
                    let e = range.map { exp(real($0) - top) }, sum = e.reduce(0, +)
                    for (k, i) in range.enumerated() { #expect(abs(Double(predictions[i]) - e[k] / sum) < 1e-6) }
                    let result = outputs.withUnsafeBufferPointer { model.headResult(h, outputs: $0.baseAddress!) }
                    #expect(result.decision == range.map(real).firstIndex(of: top)!)
                    if head.kind == .expectedValue {
                        let expected = zip(e, 0..<81).reduce(0) { $0 + $1.0 / sum * Double($1.1) }
                        #expect(abs(Double(result.value) - expected) < 1e-4, "seed \(seed)")
                        decisions.insert(result.decision)
                    } else {
                        #expect(result.value == predictions[head.firstOutput + result.decision])
                    }
                }
                for i in 83..<87 { #expect(predictions[i] == Float(outputs[i]) * model.outputScale(i)) }
            }
            #expect(decisions.count > 1)  // not one bin for every picture
        }
    }

    /// tools/oracle/oracle.py's heads, run through blobs with those scales and bin values.
    @Test func goldenHeadsAreBitIdentical() throws {
        let golden = try Golden.load(Golden.Heads.self, "heads.json")
        #expect(golden.heads.count == 80)
        for (index, c) in golden.heads.enumerated() {
            let n = c.accumulators.count
            var b = BlobBuilder(name: "golden", height: 1, width: 1, pixelFormat: .gray8)
            b.head("bins", kind: .expectedValue, input: b.input, weights: [Int8](repeating: 0, count: n),
                   bias: [Int32](repeating: 0, count: n), scales: c.scales.map(Float.init(bitPattern:)),
                   labels: (0..<n).map { String($0) }, values: c.values.map(Float.init(bitPattern:)))
            try withModel(b.build().bytes) { model in
                var predictions = [Float](repeating: .nan, count: n)
                let result = c.accumulators.withUnsafeBufferPointer { o in
                    predictions.withUnsafeMutableBufferPointer { model.predictions(outputs: o.baseAddress!, into: $0.baseAddress!) }
                    return model.headResult(0, outputs: o.baseAddress!)
                }
                #expect(predictions.map(\.bitPattern) == c.probabilities, "case \(index)")
                #expect(result.decision == c.argmax, "case \(index)")
                #expect(result.value.bitPattern == c.expectedValue, "case \(index)")
            }
        }
    }

    @Test func hostileHeadsAreRefused() throws {
        typealias H = BlobFormat.HeadRecord
        typealias P = BlobFormat.OutputRecord
        let blob = BlobPatch(TestModels.heads())
        let heads = blob.section(.heads), outputs = blob.section(.outputs)
        // A version-2 blob cannot have them.
        var old = blob
        old.set(BlobFormat.Header.version, UInt32(2))
        #expect(old.openError() == .invalidField(.headKind, section: .heads, offset: UInt64(heads + H.kind), value: 3))
        // A bin value that is not finite, or too large for a finite expected value.
        for bits in [Float.infinity.bitPattern, Float.nan.bitPattern, Float.greatestFiniteMagnitude.bitPattern] {
            var bad = blob
            let o = outputs + 5 * P.size + P.value
            bad.set(o, bits)
            #expect(bad.openError() == .invalidField(.outputValue, section: .outputs, offset: UInt64(o), value: Int64(bits)))
        }
        var largest = blob
        largest.set(outputs + 5 * P.size + P.value, BlobFormat.maximumBinValue.bitPattern)
        #expect(largest.openError() == nil)
        // A value in a softmax or raw head's output is a reserved field.
        for output in [0, 84] {
            var bad = blob
            bad.set(outputs + output * P.size + P.value, Float(1).bitPattern)
            #expect(bad.openError() == .reservedNotZero(offset: UInt64(outputs + output * P.size + P.value + 2)))  // 1.0 is 00 00 80 3F
        }
        // A softmax or expected-value head of one output (of 4: fine).
        var four = blob
        four.set(heads + 2 * H.size + H.kind, HeadKind.softmax.rawValue)
        #expect(four.openError() == nil)
        var one = BlobBuilder(name: "one", height: 1, width: 1, pixelFormat: .gray8)
        one.head("b", kind: .regression, input: one.input, weights: [1], bias: [0], scales: [1], labels: ["v"])
        var lone = BlobPatch(one)
        lone.set(BlobFormat.Header.version, UInt32(3))
        lone.set(lone.section(.heads) + H.kind, HeadKind.softmax.rawValue)
        #expect(lone.openError() == .invalidField(.headOutputs, section: .heads, offset: UInt64(lone.section(.heads) + H.outputCount), value: 1))
    }
}
