import FacelyzrRuntime
import FacelyzrTrainer
import Foundation

/// How a candidate model's outputs differ from a reference's (float vs int8, or the last shipped
/// blob vs today's) on held-out faces, per head and output, with 95% confidence intervals.
public struct DriftReport: Codable, Sendable {
    /// One head output compared. Accuracies and agreement in percent; errors in the output's unit.
    public struct Output: Codable, Sendable {
        public var label: String
        /// Faces with a known label for this output.
        public var labelled: Int
        public var referenceAccuracy: Estimate?
        public var candidateAccuracy: Estimate?
        /// Reference minus candidate accuracy, in points (paired over the same faces).
        public var accuracyDrop: Estimate?
        /// Faces (all of them) where both models decide the same (binary outputs).
        public var agreement: Estimate?
        public var referenceMAE: Estimate?
        public var candidateMAE: Estimate?
        /// Candidate minus reference MAE (paired).
        public var maeIncrease: Estimate?
        public var referenceRMSE: Estimate?
        public var candidateRMSE: Estimate?
        /// Mean |candidate - reference| over all faces (regression outputs).
        public var meanAbsoluteDifference: Double?

        public init(label: String, labelled: Int) {
            self.label = label
            self.labelled = labelled
        }
    }

    public struct Head: Codable, Sendable {
        public var name: String
        /// `binary`, `regression` (also an expected-value head, by its value), `multiLabel`.
        public var kind: String
        public var outputs: [Output]
        /// Mean over outputs with labels of the accuracy drop (binary and multi-label heads), in points.
        public var meanAccuracyDrop: Double?
        /// Mean over outputs of the agreement, in percent.
        public var meanAgreement: Double?

        public init(name: String, kind: String, outputs: [Output], meanAccuracyDrop: Double?, meanAgreement: Double?) {
            self.name = name
            self.kind = kind
            self.outputs = outputs
            self.meanAccuracyDrop = meanAccuracyDrop
            self.meanAgreement = meanAgreement
        }
    }

    /// SQNR of one op's int8 output against the reference's.
    public struct Layer: Codable, Sendable {
        public var op: Int
        public var name: String
        public var kind: String
        public var sqnr: Double
    }

    public var reference: String
    public var candidate: String
    public var data: String
    public var faceCount: Int
    public var heads: [Head]
    public var layers: [Layer]?
    public var thresholds: DriftThresholds
    /// Thresholds crossed, in words; empty when the candidate passes.
    public var violations: [String]
    public var passed: Bool { violations.isEmpty }

    /// Compares `candidate` with `reference` predictions (`[face][output]`) on `faces` of `set`.
    public init(reference: String, candidate: String, set: EvaluationSet, faces: [Int]? = nil, layout: [HeadLayout],
                referenceOutputs: [[Float]], candidateOutputs: [[Float]], thresholds: DriftThresholds = DriftThresholds()) {
        let chosen = faces ?? Array(set.faces.indices)
        self.reference = reference
        self.candidate = candidate
        data = set.description
        faceCount = chosen.count
        self.thresholds = thresholds
        var heads: [Head] = []
        var column = 0
        for head in layout {
            var outputs: [Output] = []
            // An expected-value head is scored by its value, as one regression output named after
            // the head (`age`: docs/training.md "Losses"), not bin by bin.
            let first = column, width = head.labels.count
            let kind: HeadKind = head.kind == .expectedValue ? .regression : head.kind
            let scored: [(label: String, value: ([Float]) -> Double)] = head.kind == .expectedValue
                ? [(head.name, { row in
                    Double(expectedValues(Tensor(shape: [1, width], values: Array(row[first..<(first + width)])), bins: head.values)[0])
                })]
                : head.labels.indices.map { j in (head.labels[j], { row in Double(row[first + j]) }) }
            for (label, value) in scored {
                var o = Output(label: label, labelled: 0)
                let targets = chosen.map { set.target(label: label, kind: kind, face: set.faces[$0]) }
                let r = chosen.map { value(referenceOutputs[$0]) }, c = chosen.map { value(candidateOutputs[$0]) }
                let known = targets.indices.filter { targets[$0] != nil }
                o.labelled = known.count
                if kind == .regression {
                    o.meanAbsoluteDifference = chosen.isEmpty ? nil : zip(r, c).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(chosen.count)
                    if !known.isEmpty {
                        let re = known.map { r[$0] - targets[$0]! }, ce = known.map { c[$0] - targets[$0]! }
                        o.referenceMAE = .mean(re.map(abs))
                        o.candidateMAE = .mean(ce.map(abs))
                        o.maeIncrease = .mean(known.indices.map { abs(ce[$0]) - abs(re[$0]) })
                        o.referenceRMSE = .rootMeanSquare(re)
                        o.candidateRMSE = .rootMeanSquare(ce)
                    }
                } else {
                    // A logit above 0 is probability above 1/2: decision 1.
                    let agree = zip(r, c).filter { ($0.0 > 0) == ($0.1 > 0) }.count
                    o.agreement = .proportion(successes: agree, count: chosen.count)
                    if !known.isEmpty {
                        let rc = known.map { (r[$0] > 0 ? 1.0 : 0.0) == targets[$0]! }, cc = known.map { (c[$0] > 0 ? 1.0 : 0.0) == targets[$0]! }
                        o.referenceAccuracy = .proportion(successes: rc.filter { $0 }.count, count: known.count)
                        o.candidateAccuracy = .proportion(successes: cc.filter { $0 }.count, count: known.count)
                        o.accuracyDrop = .mean(known.indices.map { 100 * ((rc[$0] ? 1 : 0) - (cc[$0] ? 1 : 0)) })
                    }
                }
                outputs.append(o)
            }
            column += width
            let drops = outputs.compactMap { $0.accuracyDrop?.value }
            let agreements = outputs.compactMap { $0.agreement?.value }.filter(\.isFinite)
            heads.append(Head(
                name: head.name, kind: "\(kind)", outputs: outputs,
                meanAccuracyDrop: drops.isEmpty ? nil : drops.reduce(0, +) / Double(drops.count),
                meanAgreement: agreements.isEmpty ? nil : agreements.reduce(0, +) / Double(agreements.count)))
        }
        self.heads = heads
        violations = thresholds.violations(heads)
    }

    /// The report as a table for a terminal.
    public var text: String {
        var lines = ["reference: \(reference)", "candidate: \(candidate)", "data: \(data)", ""]
        func e(_ x: Estimate?, _ digits: Int = 2) -> String { x?.formatted(digits) ?? "-" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        lines.append(pad("head/output", 34) + pad("labelled", 9) + pad("reference", 30) + pad("candidate", 30)
                     + pad("drop / increase", 26) + "agreement / mean |diff|")
        for head in heads {
            for o in head.outputs {
                let name = pad("\(head.name)/\(o.label)", 34) + pad("\(o.labelled)", 9)
                if head.kind == "regression" {
                    lines.append(name + pad("MAE " + e(o.referenceMAE), 30) + pad("MAE " + e(o.candidateMAE), 30)
                                 + pad(e(o.maeIncrease, 3), 26) + (o.meanAbsoluteDifference.map { String(format: "%.3f", $0) } ?? "-"))
                    lines.append(pad("", 43) + pad("RMSE " + e(o.referenceRMSE), 30) + pad("RMSE " + e(o.candidateRMSE), 30))
                } else {
                    lines.append(name + pad("acc " + e(o.referenceAccuracy), 30) + pad("acc " + e(o.candidateAccuracy), 30)
                                 + pad(e(o.accuracyDrop, 3), 26) + e(o.agreement))
                }
            }
            if head.outputs.count > 1, let drop = head.meanAccuracyDrop {
                lines.append(pad("\(head.name) (mean)", 103) + pad(String(format: "%.3f", drop), 26)
                             + (head.meanAgreement.map { String(format: "%.2f", $0) } ?? "-"))
            }
        }
        if let layers {
            lines.append("")
            lines.append("per-layer SQNR of the candidate's int8 outputs against the reference:")
            for l in layers { lines.append("  op \(l.op) \(pad(l.name, 20)) \(pad(l.kind, 20)) \(formatDecibels(l.sqnr))") }
        }
        lines.append("")
        lines.append(passed ? "PASS: no threshold crossed" : "FAIL:\n" + violations.map { "  " + $0 }.joined(separator: "\n"))
        return lines.joined(separator: "\n")
    }

    /// The report as JSON (sorted keys, pretty printed).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}

/// Limits a CI job puts on drift; nil means unchecked. Point estimates are compared (the
/// intervals are reported beside them).
public struct DriftThresholds: Codable, Sendable, Equatable {
    /// Largest accepted accuracy drop of the head named `gender`, in points.
    public var maxGenderDrop: Double?
    /// Largest accepted MAE increase of the head named `age`, in years.
    public var maxAgeMAEIncrease: Double?
    /// Largest accepted mean accuracy drop over the outputs of the head named `attributes`, in points.
    public var maxAttributeDrop: Double?
    /// Smallest accepted agreement (percent) of every binary or multi-label head (mean over its outputs).
    public var minAgreement: Double?

    public init(maxGenderDrop: Double? = nil, maxAgeMAEIncrease: Double? = nil, maxAttributeDrop: Double? = nil,
                minAgreement: Double? = nil) {
        self.maxGenderDrop = maxGenderDrop
        self.maxAgeMAEIncrease = maxAgeMAEIncrease
        self.maxAttributeDrop = maxAttributeDrop
        self.minAgreement = minAgreement
    }

    /// The thresholds `heads` cross, in words.
    public func violations(_ heads: [DriftReport.Head]) -> [String] {
        var result: [String] = []
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        for head in heads {
            if head.name == "gender", let limit = maxGenderDrop, let drop = head.meanAccuracyDrop, drop > limit {
                result.append("gender accuracy drop \(f(drop)) points > \(f(limit))")
            }
            if head.name == "age", let limit = maxAgeMAEIncrease, let increase = head.outputs.first?.maeIncrease?.value, increase > limit {
                result.append("age MAE increase \(f(increase)) years > \(f(limit))")
            }
            if head.name == "attributes", let limit = maxAttributeDrop, let drop = head.meanAccuracyDrop, drop > limit {
                result.append("mean attribute accuracy drop \(f(drop)) points > \(f(limit))")
            }
            if head.kind != "regression", let limit = minAgreement, let agreement = head.meanAgreement, agreement < limit {
                result.append("\(head.name) agreement \(f(agreement))% < \(f(limit))%")
            }
        }
        return result
    }
}
