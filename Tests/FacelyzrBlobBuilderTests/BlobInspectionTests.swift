import FacelyzrBlobBuilder
import FacelyzrRuntime
import FacelyzrTestSupport
import Foundation
import Testing

@Suite struct BlobInspectionTests {
    /// The JSON `facelyzr inspect --json` prints, checked field by field on a builder-made blob.
    @Test func jsonReportOfBuilderBlob() throws {
        var b = BlobBuilder(name: "tiny", height: 4, width: 4, pixelFormat: .gray8)
        let q = BlobBuilder.Quantization(scale: 0.5, zeroPoint: -3)
        let conv = b.conv2D(b.input, filters: 2, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                            padding: .same, weights: [Int8](repeating: 1, count: 18), bias: [5, -5],
                            requantization: [.init(multiplier: 1 << 30, shift: -1), .init(multiplier: 1 << 30, shift: 0)],
                            output: q, activation: .relu)
        let pooled = b.maxPool2x2(conv)
        b.head("gender", kind: .binary, input: pooled, weights: [1, 2], bias: [7], scales: [0.25], labels: ["male"])
        let bytes = b.build().bytes
        let report = try withModel(bytes, BlobInspection.init)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try JSONSerialization.jsonObject(with: encoder.encode(report)) as! [String: Any]

        #expect(json["name"] as? String == "tiny")
        #expect(json["arenaByteCount"] as? Int == 24)  // input 16 bytes at 0, conv 8 at 16, pool 2 at 0
        #expect(json["livenessLowerBound"] as? Int == 24)  // input and conv output live at op 0
        #expect(json["tensorCount"] as? Int == 3)
        #expect(json["outputCount"] as? Int == 1)
        #expect(json["totalMACs"] as? Int == 2 * 2 * 2 * 9 + 2 * 4 + 2)
        #expect(json["totalParameters"] as? Int == 2 * 10 + 3)

        let header = try #require(json["header"] as? [String: Any])
        #expect(header["formatVersion"] as? Int == 1)
        #expect(header["byteCount"] as? Int == bytes.count)
        #expect(header["headerSize"] as? Int == 64 + 7 * 32)
        let crc = bytes[32..<36].reversed().map { String(format: "%02x", $0) }.joined()
        #expect(header["headerChecksum"] as? String == "0x" + crc)
        #expect((header["payloadChecksum"] as? String)?.count == 10)

        let sections = try #require(json["sections"] as? [[String: Any]])
        #expect(sections.map { $0["kind"] as? String } == ["metadata", "strings", "tensors", "ops", "heads", "outputs", "weights"])
        #expect(sections.allSatisfy { ($0["offset"] as! Int) % 16 == 0 && $0["alignment"] as? Int == 16 && $0["optional"] as? Bool == false })
        #expect(sections[0]["length"] as? Int == 64)

        let input = try #require(json["input"] as? [String: Any])
        #expect(input["height"] as? Int == 4 && input["width"] as? Int == 4 && input["channels"] as? Int == 1)
        #expect(input["pixelFormat"] as? String == "gray8")
        #expect(input["scale"] as? Double == 0.0078125)
        #expect(input["zeroPoint"] as? Int == 0)

        let ops = try #require(json["ops"] as? [[String: Any]])
        #expect(ops.count == 3)
        #expect(ops[0]["kind"] as? String == "conv2D")
        #expect(ops[0]["inputShape"] as? [String: Int] == ["height": 4, "width": 4, "channels": 1])
        #expect(ops[0]["outputShape"] as? [String: Int] == ["height": 2, "width": 2, "channels": 2])
        #expect(ops[0]["kernel"] as? [Int] == [3, 3])
        #expect(ops[0]["stride"] as? [Int] == [2, 2])
        #expect(ops[0]["padding"] as? String == "same")
        #expect(ops[0]["rounding"] as? String == "double")
        #expect(ops[0]["clamp"] as? [Int] == [-3, 127])
        #expect(ops[0]["macs"] as? Int == 72)
        #expect(ops[0]["parameters"] as? Int == 20)
        #expect(ops[0]["inputArenaOffset"] as? Int == 0)
        #expect(ops[0]["outputArenaOffset"] as? Int == 16)
        #expect(ops[1]["outputArenaOffset"] as? Int == 0)
        #expect(ops[1]["kind"] as? String == "maxPool2x2")
        #expect(ops[1]["outputShape"] as? [String: Int] == ["height": 1, "width": 1, "channels": 2])
        #expect(ops[1]["kernel"] == nil && ops[1]["rounding"] == nil)
        #expect(ops[1]["macs"] as? Int == 8)
        #expect(ops[1]["parameters"] as? Int == 0)
        #expect(ops[2]["kind"] as? String == "fullyConnectedAccumulators")
        #expect(ops[2]["headOutputs"] as? [Int] == [0, 1])
        #expect(ops[2]["outputShape"] == nil)
        #expect(ops[2]["macs"] as? Int == 2)
        #expect(ops[2]["parameters"] as? Int == 3)

        let heads = try #require(json["heads"] as? [[String: Any]])
        #expect(heads.count == 1)
        #expect(heads[0]["name"] as? String == "gender")
        #expect(heads[0]["kind"] as? String == "binary")
        #expect(heads[0]["firstOutput"] as? Int == 0)
        let outputs = try #require(heads[0]["outputs"] as? [[String: Any]])
        #expect(outputs.count == 1)
        #expect(outputs[0]["label"] as? String == "male")
        #expect(outputs[0]["scale"] as? Double == 0.25)
    }
}

extension BlobInspectionTests {
    @Test func reportRecomputesTheBuildersLivenessBound() throws {
        let builder = TestModels.everyOp()
        let report = try withModel(builder.build().bytes, BlobInspection.init)
        #expect(report.livenessLowerBound == builder.arenaPlan().livenessLowerBound)
        #expect(report.arenaByteCount == builder.arenaPlan().byteCount)
    }
}

extension BlobInspectionTests {
    /// Each op's kernel plan in the report, for the feature sets asked: the tiny blob's conv2D
    /// (3x3 over 1 channel, double rounding, then a max pool) in int16 pairs without features
    /// and in quad tiles pooling in the kernel with AVX-512 VNNI (x86-64), in JSON and as text.
    @Test func reportShowsTheKernelPlan() throws {
        var b = BlobBuilder(name: "tiny", height: 4, width: 4, pixelFormat: .gray8)
        let conv = b.conv2D(b.input, filters: 2, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                            padding: .same, weights: [Int8](repeating: 1, count: 18), bias: [5, -5],
                            requantization: [.init(multiplier: 1 << 30, shift: -1), .init(multiplier: 1 << 30, shift: 0)],
                            output: BlobBuilder.Quantization(scale: 0.5, zeroPoint: -3))
        b.head("gender", kind: .binary, input: b.maxPool2x2(conv), weights: [1, 2], bias: [7], scales: [0.25], labels: ["male"])
        let bytes = b.build().bytes
        let detected = try withModel(bytes, BlobInspection.init)
        #expect(detected == (try withModel(bytes) { BlobInspection($0, features: .detected) }))
        #expect(detected.ops.map(\.plan.maxPool).suffix(2) == ["into-previous", "none"])
        #if arch(x86_64)
        let baseline = try withModel(bytes) { BlobInspection($0, features: .baseline) }
        #expect(baseline.cpuFeatures == [])
        // 16 channels of folded biases, multipliers and shifts, then int16 pairs of a 10-tap field.
        let pairs = baseline.ops[0].plan
        #expect([pairs.variant, pairs.mode, pairs.maxPool, pairs.gather, pairs.layout]
                == ["sse2-pairs", "pairs", "after-convolution", "portable", "int16-pairs"])
        #expect(pairs.packedByteCount == 16 * 16 + 16 * 10 * 2 && pairs.needs == [])
        #expect(baseline.ops[2].plan.variant == "portable")

        let vnni = try withModel(bytes) { BlobInspection($0, features: CPUFeatures.avx2.union(.avx512vnni)) }
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(vnni)) as! [String: Any]
        #expect(json["cpuFeatures"] as? [String] == ["avx2", "avx512-vnni"])
        let ops = try #require(json["ops"] as? [[String: Any]])
        let plan = try #require(ops[0]["plan"] as? [String: Any])
        #expect(plan["variant"] as? String == "avx512-vnni-quad-tiles")
        #expect(plan["mode"] as? String == "runs")
        #expect(plan["maxPool"] as? String == "in-kernel")
        #expect(plan["gather"] as? String == "avx512")
        #expect(plan["layout"] as? String == "quads-per-kernel-row")
        #expect(plan["packedByteCount"] as? Int == 16 * 16 + 16 * 3 * 4)  // 3 kernel rows of 3 taps padded to a quad
        #expect(plan["needs"] as? [String] == ["avx512-vnni"])
        #expect((ops[2]["plan"] as? [String: Any])?["variant"] as? String == "avx512-vnni-dot")
        #expect(vnni.text.contains("""
            kernel plan (CPU features avx2, avx512-vnni; the max pool steps fuse when predict keeps no layer outputs):
              0 conv2D: avx512-vnni-quad-tiles, runs, max pool in-kernel, avx512 gather, quads-per-kernel-row 448 bytes; needs avx512-vnni
              1 maxPool2x2: portable, direct, max pool into-previous; needs no CPU feature
              2 fullyConnectedAccumulators: avx512-vnni-dot, direct; needs avx512-vnni
            """))
        #endif
    }
}
