import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing

/// A trainer's expected-value age head (`HeadSpec.Task.expectedValue`) exports as the blob's
/// expected-value head with its bins, and the drift report scores it by its value, as
/// `facelyzr eval` does.
@Suite struct ExpectedValueAgeHeadTests {
    static let bins: [Float] = (0...9).map { Float($0) * 10 }

    static var network: Network {
        var a = tinyNetwork().architecture
        a.heads[1] = HeadSpec(name: "age", task: .expectedValue, hidden: [.dense(8, activation: .relu)], labels: ["age"],
                              bins: bins, binSigma: 5)
        var generator = SplitMix64(state: 7)
        return try! Network(a, generator: &generator)
    }

    @Test func theHeadReachesTheBlobWithItsBinsAndDriftScoresItsValue() throws {
        var network = Self.network
        let graph = try FloatGraph(network, normalization: .standard)
        #expect(graph.heads[1].kind == .expectedValue && graph.heads[1].values == Self.bins)
        #expect(graph.heads[1].labels == ["0", "10", "20", "30", "40", "50", "60", "70", "80", "90"])
        let blob = try Quantizer.quantize(graph, name: "tiny-age-bins", calibration: SplitFaces(tinyFaces, limit: 32),
                                          options: QuantizationOptions(method: .mse)).bytes
        let int8 = try LoadedModel(bytes: blob)
        let head = int8.model.head(1)
        #expect(head.kind == .expectedValue && head.outputCount == Self.bins.count)
        #expect((0..<Self.bins.count).map { int8.model.outputValue(head.firstOutput + $0) } == Self.bins)

        let set = try EvaluationSet(SplitFaces<TestSplit>(tinyFaces, limit: 40))
        let report = try DriftEvaluation.run(reference: .float(graph, name: "float"), candidate: int8, candidateName: "int8",
                                             set: set, thresholds: DriftThresholds(), layerFaces: 0).report
        let age = try #require(report.heads.first { $0.name == "age" })
        #expect(age.kind == "regression" && age.outputs.map(\.label) == ["age"] && age.outputs[0].labelled == 40)
        // The float reference's MAE is the trainer's own evaluation of the same faces.
        let test = try TrainingFaces(SplitFaces<TestSplit>(tinyFaces, limit: 40), architecture: network.architecture)
        let trainer = try network.evaluate(test, indices: Array(0..<40))
        let mae = try #require(age.outputs[0].referenceMAE?.value)
        #expect(abs(mae - Double(trainer.overall.ageMAE!)) < 1e-3)
        #expect(age.outputs[0].candidateMAE != nil)
    }
}
