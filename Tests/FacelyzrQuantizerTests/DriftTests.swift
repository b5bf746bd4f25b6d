import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

@Suite struct DriftTests {
    static let graph = try! FloatGraph(trainedTinyNetwork, normalization: .standard)
    static let blob = try! Quantizer.quantize(graph, name: "tiny", calibration: SplitFaces(tinyFaces, limit: 64),
                                              options: QuantizationOptions(method: .mse)).bytes
    static let set = try! EvaluationSet(SplitFaces<TestSplit>(tinyFaces, limit: 200))
    static let thresholds = DriftThresholds(maxGenderDrop: 3, maxAgeMAEIncrease: 0.5, maxAttributeDrop: 3, minAgreement: 95)

    func drift(_ candidate: [UInt8], layers: Bool = false) throws -> DriftReport {
        try DriftEvaluation.run(reference: .float(Self.graph, name: "float"), candidate: LoadedModel(bytes: candidate),
                                candidateName: "int8", set: Self.set, thresholds: Self.thresholds,
                                layerFaces: layers ? 32 : 0).report
    }

    @Test func theQuantizedBlobPassesAndAPerturbedLayerFails() throws {
        let good = try drift(Self.blob, layers: true)
        #expect(good.passed, "\(good.text)")
        let bad = try drift(try perturbed(Self.blob, op: 2), layers: true)
        #expect(!bad.passed, "one layer's weights negated must cross a threshold")
        // The per-layer table points at the perturbed layer: good before op 2, bad from op 2 on.
        let goodSQNR = Dictionary(uniqueKeysWithValues: good.layers!.map { ($0.op, $0.sqnr) })
        let badSQNR = Dictionary(uniqueKeysWithValues: bad.layers!.map { ($0.op, $0.sqnr) })
        #expect(badSQNR[0] == goodSQNR[0])
        #expect(badSQNR[2]! < 0 && goodSQNR[2]! > 20)
    }

    @Test func twoBlobsCompareAndTheSameBlobAgreesExactly() throws {
        let same = try DriftEvaluation.run(
            reference: .int8(LoadedModel(bytes: Self.blob), name: "shipped"), candidate: LoadedModel(bytes: Self.blob),
            candidateName: "today", set: Self.set, thresholds: DriftThresholds(maxAgeMAEIncrease: 0, minAgreement: 100),
            layerFaces: 8).report
        #expect(same.passed)
        #expect(same.layers!.allSatisfy { $0.sqnr == SQNR.exact })
        let changed = try DriftEvaluation.run(
            reference: .int8(LoadedModel(bytes: Self.blob), name: "shipped"), candidate: LoadedModel(bytes: perturbed(Self.blob, op: 4)),
            candidateName: "today", set: Self.set, thresholds: Self.thresholds).report
        #expect(!changed.passed)
    }

    @Test func thresholdsNameWhatTheyCatch() {
        func head(_ name: String, kind: String, drop: Double, agreement: Double, mae: Double? = nil) -> DriftReport.Head {
            var o = DriftReport.Output(label: name, labelled: 10)
            o.maeIncrease = mae.map { Estimate(value: $0, low: $0, high: $0) }
            return DriftReport.Head(name: name, kind: kind, outputs: [o], meanAccuracyDrop: kind == "regression" ? nil : drop,
                                    meanAgreement: kind == "regression" ? nil : agreement)
        }
        let t = DriftThresholds(maxGenderDrop: 0.3, maxAgeMAEIncrease: 0.2, maxAttributeDrop: 0.5, minAgreement: 99.5)
        let heads = [head("gender", kind: "binary", drop: 0.31, agreement: 99.4),
                     head("age", kind: "regression", drop: 0, agreement: 0, mae: 0.21),
                     head("attributes", kind: "multiLabel", drop: 0.5, agreement: 99.9)]
        #expect(t.violations(heads) == [
            "gender accuracy drop 0.310 points > 0.300", "gender agreement 99.400% < 99.500%", "age MAE increase 0.210 years > 0.200",
        ])
    }
}
