import FacelyzrRandom
import Foundation
import Testing
@testable import FacelyzrTrainer

@Suite struct ArchitectureTests {
    static let celebANames = (0..<40).map { "attribute\($0)" }

    /// The default network's figures, worked by hand in the comments, against the runtime's budget.
    @Test func standardArchitectureFitsTheRuntimeBudget() throws {
        let cost = try Architecture.standard(attributeNames: Self.celebANames).cost()
        // Encoder MACs: 64*64*16*27 + 32*32*32*144 + 16*16*64*288 + 8*8*64*576 + 4*4*128*576
        //             = 1,769,472 + 4,718,592 + 4,718,592 + 2,359,296 + 1,179,648 = 14,745,600.
        // Heads: gender and age 128*64 + 64*1 = 8,256 each; 40 attributes 128*64 + 64*40 = 10,752.
        #expect(cost.multiplyAccumulates == 14_745_600 + 2 * 8_256 + 10_752)
        // Weights: 432 + 4,608 + 18,432 + 36,864 + 73,728 = 134,064 in the encoder, 27,264 in the heads.
        #expect(cost.weightCount == 134_064 + 27_264)
        // Biases: 16 + 32 + 64 + 64 + 128 = 304; heads 65 + 65 + 104 = 234.
        #expect(cost.biasCount == 538)
        #expect(cost.quantizedParameterBytes == 163_480)
        #expect(cost.multiplyAccumulates <= 20_000_000)
        #expect(cost.quantizedParameterBytes <= 256 * 1024)
        #expect(try Architecture.standard(attributeNames: Self.celebANames).featureShape() == [128])
    }

    @Test func architectureRoundTripsThroughJSONAndReadsAHandWrittenOne() throws {
        let standard = Architecture.standard(attributeNames: ["Smiling", "Eyeglasses"])
        let data = try JSONEncoder().encode(standard)
        #expect(try JSONDecoder().decode(Architecture.self, from: data) == standard)
        let tiny = """
            {"inputHeight": 8, "inputWidth": 8, "inputChannels": 1,
             "encoder": [{"kind": "conv2d", "filters": 4, "kernel": 3, "stride": 2, "padding": "same", "activation": "relu"},
                         {"kind": "globalAveragePool"}],
             "heads": [{"name": "gender", "task": "binary", "hidden": [], "labels": ["male"],
                        "outputScale": 1, "outputOffset": 0}]}
            """
        let decoded = try JSONDecoder().decode(Architecture.self, from: Data(tiny.utf8))
        #expect(decoded.encoder[0] == .conv2d(4, kernel: 3, stride: 2))
        #expect(try decoded.cost().multiplyAccumulates == 4 * 4 * 4 * 9 + 4)
    }

    @Test(arguments: [
        (LayerSpec.conv2d(4, kernel: 7), "encoder[0]"),
        (LayerSpec.conv2d(4, stride: 3), "encoder[0]"),
        (LayerSpec(kind: .conv2d, kernel: 3), "encoder[0]"),
        (LayerSpec.dropout(1.5), "encoder[0]"),
    ])
    func invalidLayersAreNamedInTheError(_ layer: LayerSpec, _ where_: String) {
        let a = Architecture(inputHeight: 4, inputWidth: 4, inputChannels: 1, encoder: [layer, .globalAveragePool], heads: [])
        #expect(throws: ArchitectureError.self) { try a.cost() }
        do { _ = try a.cost() } catch { #expect(error.layer == where_) }
    }

    @Test func poolingTooSmallAnImageIsAnError() {
        let a = Architecture(inputHeight: 2, inputWidth: 2, inputChannels: 1,
                             encoder: [.maxPool2x2, .maxPool2x2], heads: [])
        #expect(throws: ArchitectureError(layer: "encoder[1]", reason: "a 2x2 pool needs an image of at least 2x2, got [1, 1, 1]")) {
            try a.cost()
        }
    }

    @Test func networkParametersFollowTheArchitecture() throws {
        var gen = SplitMix64(state: 50)
        var network = try Network(Architecture.standard(attributeNames: ["a", "b", "c"]), generator: &gen)
        var shapes: [String: [Int]] = [:]
        network.visitParameters { name, p in shapes[name] = p.value.shape }
        #expect(shapes["encoder.0.weight"] == [16, 3, 3, 3])
        #expect(shapes["encoder.8.weight"] == [128, 3, 3, 64])
        #expect(shapes["heads.gender.0.weight"] == [64, 128])
        #expect(shapes["heads.gender.2.weight"] == [1, 64])
        #expect(shapes["heads.attributes.2.bias"] == [3])
        #expect(shapes.count == 2 * (5 + 6))
        let cost = try network.architecture.cost()
        #expect(shapes.filter { $0.key.hasSuffix("weight") }.values.map { $0.reduce(1, *) }.reduce(0, +) == cost.weightCount)
    }

    @Test func inputNormalizationMapsPixelsToTheContractRange() {
        let t = InputNormalization.standard.normalize([0, 128, 255, 64], count: 1, height: 1, width: 2, channels: 2)
        #expect(t.shape == [1, 1, 2, 2])
        #expect(t.values == [-1, 0, 127.0 / 128, -0.5])
    }

    /// The candidate recipe's network (tools/recipes/binned-age.json, docs/training.md "Recipe"):
    /// the standard one but for its binned age head and head weights, within the runtime's budget.
    @Test func theBinnedAgeCandidateIsTheStandardNetworkWithABinnedAgeHead() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/recipes/binned-age.json")
        let candidate = try JSONDecoder().decode(Architecture.self, from: Data(contentsOf: path))
        _ = try candidate.cost()  // validates
        let standard = Architecture.standard(attributeNames: candidate.heads[2].labels)
        #expect(candidate.encoder == standard.encoder && candidate.heads[0] == standard.heads[0])
        #expect(candidate.heads[1].task == .expectedValue && candidate.heads[1].bins == (0...90).map(Float.init))
        #expect(candidate.heads[1].binSigma == 3 && candidate.heads[1].lossWeight == 0.2)
        #expect(candidate.heads[2].lossWeight == 8)
        var forty = candidate
        forty.heads[2].labels = Self.celebANames
        let cost = try forty.cost()
        #expect(cost.multiplyAccumulates == 14_745_600 + 8_256 + 14_016 + 10_752 && cost.quantizedParameterBytes == 169_600)
    }

    @Test func expectedValueHeadsHaveOneOutputPerBinAndAreChecked() throws {
        var a = Architecture.standard(attributeNames: ["Smiling"])
        a.heads[1] = HeadSpec(name: "age", task: .expectedValue, hidden: [.dense(64, activation: .relu)], labels: ["age"],
                              bins: (0...90).map(Float.init), binSigma: 3)
        var gen = SplitMix64(state: 51)
        var network = try Network(a, generator: &gen)
        var shapes: [String: [Int]] = [:]
        network.visitParameters { name, p in shapes[name] = p.value.shape }
        #expect(shapes["heads.age.1.weight"] == [91, 64])
        var regression = a
        regression.heads[1] = HeadSpec(name: "age", task: .regression, hidden: [.dense(64, activation: .relu)], labels: ["age"])
        #expect(try a.cost().multiplyAccumulates == regression.cost().multiplyAccumulates + 90 * 64)
        // Its predictions are one value per face, in years.
        let prediction = a.heads[1].predictions(Tensor(zeros: [2, 91]))
        #expect(prediction.shape == [2, 1] && abs(prediction.values[0] - 45) < 1e-4)
        for (edit, reason) in [
            ({ (h: inout HeadSpec) in h.bins = [1] }, "an expected-value head needs one label, at least 2 finite bins and binSigma > 0"),
            ({ (h: inout HeadSpec) in h.binSigma = 0 }, "an expected-value head needs one label, at least 2 finite bins and binSigma > 0"),
            ({ (h: inout HeadSpec) in h.labels = ["age", "male"] }, "an expected-value head needs one label, at least 2 finite bins and binSigma > 0"),
            ({ (h: inout HeadSpec) in h.task = .regression }, "only an expected-value head has bins"),
            ({ (h: inout HeadSpec) in h.lossWeight = 0 }, "lossWeight must be positive"),
        ] {
            var bad = a
            edit(&bad.heads[1])
            #expect(throws: ArchitectureError(layer: "heads.age", reason: reason)) { try bad.cost() }
        }
    }
}
