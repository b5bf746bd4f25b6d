import FacelyzrData
import FacelyzrHost
import FacelyzrRuntime

/// The model a drift report compares against.
public enum DriftReference {
    /// The float network (`name` says which checkpoint).
    case float(FloatGraph, name: String)
    /// Another int8 blob (the last shipped one).
    case int8(LoadedModel, name: String)

    var name: String {
        switch self {
        case .float(_, let name), .int8(_, let name): name
        }
    }

    var predictor: any HeadPredictor {
        switch self {
        case .float(let g, _): g
        case .int8(let m, _): m
        }
    }
}

/// Runs both models on the evaluation faces and builds the drift report.
public enum DriftEvaluation {
    /// Predictions of both models and the report. With `layerFaces > 0`, also the per-layer SQNR
    /// of the candidate's int8 op outputs against the reference's (float node outputs, or the
    /// baseline blob's op outputs) on the first `layerFaces` faces.
    public static func run(
        reference: DriftReference, candidate: LoadedModel, candidateName: String, set: EvaluationSet,
        thresholds: DriftThresholds, layerFaces: Int = 0, progress: (String) -> Void = { _ in }
    ) throws(QuantizerError) -> (report: DriftReport, referenceOutputs: [[Float]], candidateOutputs: [[Float]]) {
        let layout = candidate.headLayout
        guard reference.predictor.headLayout == layout else {
            throw .incompatibleModels(reason: "heads differ: \(reference.predictor.headLayout.map(\.name)) vs \(layout.map(\.name))")
        }
        let r = reference.predictor.predict(set.faces, progress: progress)
        let c = candidate.predict(set.faces, progress: progress)
        var report = DriftReport(reference: reference.name, candidate: candidateName, set: set, layout: layout,
                                 referenceOutputs: r, candidateOutputs: c, thresholds: thresholds)
        if layerFaces > 0 {
            report.layers = try layerSQNR(reference: reference, candidate: candidate,
                                          faces: Array(set.faces.prefix(layerFaces)), progress: progress)
        }
        return (report, r, c)
    }

    /// SQNR per op of the candidate's dequantised int8 outputs against the reference's.
    static func layerSQNR(reference: DriftReference, candidate: LoadedModel, faces: [LabelledFace],
                          progress: (String) -> Void) throws(QuantizerError) -> [DriftReport.Layer] {
        let m = candidate.model
        var signal = [Double](repeating: 0, count: m.opCount), noise = signal
        var names = (0..<m.opCount).map { "op \($0)" }
        func add(_ op: Int, _ s: [Float], _ a: [Float]) {
            for j in s.indices {
                let d = Double(s[j]) - Double(a[j])
                signal[op] += Double(s[j]) * Double(s[j])
                noise[op] += d * d
            }
        }
        switch reference {
        case .float(let graph, _):
            guard graph.nodes.count == m.opCount,
                  graph.nodes.indices.allSatisfy({ candidate.layerRanges[$0].count == 0  // a head
                      || graph.nodes[$0].outputShape.reduce(1, *) * m.tensor(m.op($0).output).layout.elementSize == candidate.layerRanges[$0].count })
            else { throw .incompatibleModels(reason: "the blob's ops do not follow the checkpoint's layers") }
            names = graph.nodes.map(\.name)
            for start in stride(from: 0, to: faces.count, by: 32) {
                let batch = Array(faces[start..<min(start + 32, faces.count)])
                let outputs = graph.forward(graph.normalize(batch.flatMap(\.pixels), count: batch.count))
                for (n, face) in batch.enumerated() {
                    let layers = candidate.predictLayers(face.pixels).layers
                    for op in 0..<m.opCount where !layers[op].isEmpty {
                        let per = outputs[op].itemCount
                        add(op, Array(outputs[op].values[(n * per)..<((n + 1) * per)]), layers[op])
                    }
                }
                progress("layers: \(min(start + 32, faces.count))/\(faces.count)")
            }
        case .int8(let baseline, _):
            guard baseline.layerRanges.map(\.count) == candidate.layerRanges.map(\.count) else {
                throw .incompatibleModels(reason: "the two blobs' ops differ in number or shape")
            }
            for (n, face) in faces.enumerated() {
                let a = baseline.predictLayers(face.pixels).layers, b = candidate.predictLayers(face.pixels).layers
                for op in 0..<m.opCount where !a[op].isEmpty { add(op, a[op], b[op]) }
                if (n + 1) % 100 == 0 { progress("layers: \(n + 1)/\(faces.count)") }
            }
        }
        return (0..<m.opCount).compactMap { op in
            guard candidate.layerRanges[op].count > 0 else { return nil }
            return DriftReport.Layer(op: op, name: names[op], kind: "\(m.op(op).kind)",
                                     sqnr: SQNR.decibels(signalEnergy: signal[op], noiseEnergy: noise[op]))
        }
    }
}
