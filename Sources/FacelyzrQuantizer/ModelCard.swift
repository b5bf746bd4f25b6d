import Foundation

/// What a quantized blob is, where it came from and how well it does, written beside the blob
/// as JSON and Markdown (`<out>.card.json`, `<out>.card.md`).
public struct ModelCard: Codable, Sendable {
    public struct Blob: Codable, Sendable {
        public var file: String
        public var byteCount: Int
        public var sha256: String
        /// The blob's own CRC-32 header and payload checksums (docs/blob-format.md).
        public var headerChecksum: String
        public var payloadChecksum: String
    }

    public struct Source: Codable, Sendable {
        public var checkpoint: String
        public var sha256: String
        /// What the float model was trained on (the checkpoint's `dataProvenance`).
        public var trainingData: String

        /// `checkpoint` is the float model's file (a checkpoint or an imported model).
        public init(checkpoint: String, sha256: String, trainingData: String) {
            self.checkpoint = checkpoint
            self.sha256 = sha256
            self.trainingData = trainingData
        }
    }

    /// Metrics of one group of faces (by gender, age band or skin tone).
    public struct Group: Codable, Sendable {
        public var group: String
        public var faces: Int
        public var heads: [DriftReport.Head]
    }

    public var name: String
    public var blob: Blob
    public var source: Source
    /// Calibration set (source, split, count) and options.
    public var calibration: String
    public var calibrationCount: Int
    public var options: String
    /// Method, range, scales and SQNR per layer.
    public var layers: [LayerReport]
    /// Float (reference) vs int8 (candidate) on the test split; nil when evaluation was skipped.
    public var evaluation: DriftReport?
    public var groups: [Group]
    public var limitations: [String]

    /// The limitations that apply to a model with heads named `heads`, evaluated (the card then
    /// has accuracy figures and groups) or not: the gender line only with a gender head, the
    /// skin-tone and accuracy lines only with an evaluation (a face / not-face model exported
    /// without one gets the first line alone).
    public static func limitations(heads: [String], evaluated: Bool) -> [String] {
        var lines = [
            "Trained on synthetic faces from the project's generator unless the source says otherwise: on real photographs it is not expected to be accurate until retrained on real data (CelebA, UTKFace) through the importers.",
        ]
        if heads.contains("gender") {
            lines.append("Gender labels are binary (male/female) as in the source datasets; they do not describe gender identity.")
        }
        if evaluated {
            lines.append("Skin-tone groups exist only for synthetic faces (the generator's skin-tone latent); imported datasets carry no skin-tone label.")
            lines.append("Accuracy figures are measured on the held-out test split of the named data, with 95% confidence intervals (Wilson for proportions, normal approximation for means).")
        }
        return lines
    }

    /// The groups the card reports: gender, age bands, skin-tone bands (where labels exist).
    public static func groups(_ set: EvaluationSet) -> [(name: String, faces: [Int])] {
        let f = set.faces
        var result: [(String, [Int])] = [
            ("gender: female", f.indices.filter { f[$0].labels.gender == 0 }),
            ("gender: male", f.indices.filter { f[$0].labels.gender == 1 }),
        ]
        for (name, range) in [("age 0-17", Float(0)..<18), ("age 18-29", 18..<30), ("age 30-44", 30..<45),
                              ("age 45-59", 45..<60), ("age 60+", 60..<1000)] {
            result.append((name, f.indices.filter { f[$0].labels.age.map { range.contains($0) } ?? false }))
        }
        for (name, range) in [("skin tone: light", Float(0)..<(1.0 / 3)), ("skin tone: medium", (1.0 / 3)..<(2.0 / 3)),
                              ("skin tone: dark", (2.0 / 3)..<2)] {
            result.append((name, f.indices.filter { f[$0].skinTone.map { range.contains($0) } ?? false }))
        }
        return result.filter { !$0.1.isEmpty }
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public var markdown: String {
        func e(_ x: Estimate?, _ d: Int = 2) -> String { x?.formatted(d) ?? "–" }
        var md = ["# Model card: \(name)", ""]
        md += ["## Blob", "",
               "- file `\(blob.file)`, \(blob.byteCount) bytes",
               "- SHA-256 `\(blob.sha256)`",
               "- CRC-32 header `\(blob.headerChecksum)`, payload `\(blob.payloadChecksum)`", ""]
        md += ["## Source", "",
               "- checkpoint `\(source.checkpoint)`, SHA-256 `\(source.sha256)`",
               "- training data: \(source.trainingData)", ""]
        md += ["## Calibration", "", "- \(calibration)", "- \(options)", ""]
        md += ["## Layers", "", "| op | layer | kind | method | range | scale, zero point | calibration SQNR | test SQNR |",
               "|---|---|---|---|---|---|---|---|"]
        let testSQNR = Dictionary(uniqueKeysWithValues: (evaluation?.layers ?? []).map { ($0.op, $0.sqnr) })
        for (i, l) in layers.enumerated() {
            let range = l.range.map { String(format: "[%.4g, %.4g]", $0.low, $0.high) } ?? ""
            let q = l.outputScale.map { String(format: "%.4g, %d", $0, l.outputZeroPoint ?? 0) } ?? ""
            md.append("| \(i) | \(l.name) | \(l.op) | \(l.method ?? "") | \(range) | \(q) | \(l.calibrationSQNR.map(formatDecibels) ?? "") | \(testSQNR[i].map(formatDecibels) ?? "") |")
        }
        let saturated = layers.filter { !($0.saturatedBiasChannels ?? []).isEmpty }
        md.append("")
        md.append(saturated.isEmpty ? "No bias saturated." : "Saturated biases: " + saturated.map { "\($0.name) channels \($0.saturatedBiasChannels!)" }.joined(separator: "; "))
        md.append("")
        if let ev = evaluation {
            md += ["## Float and int8 on the test split", "", "\(ev.data).", "",
                   "| head/output | labelled | float | int8 | drop / increase | agreement |", "|---|---|---|---|---|---|"]
            for h in ev.heads {
                if h.outputs.isEmpty, let agreement = h.meanAgreement {  // a raw head, summarised
                    md.append("| \(h.name) (\(h.kind), every output) | | | | | mean \(String(format: "%.2f", agreement)) |")
                }
                for o in h.outputs {
                    if h.kind == "regression" {
                        md.append("| \(h.name)/\(o.label) | \(o.labelled) | MAE \(e(o.referenceMAE)), RMSE \(e(o.referenceRMSE)) | MAE \(e(o.candidateMAE)), RMSE \(e(o.candidateRMSE)) | \(e(o.maeIncrease, 3)) | |")
                    } else {
                        md.append("| \(h.name)/\(o.label) | \(o.labelled) | \(e(o.referenceAccuracy)) | \(e(o.candidateAccuracy)) | \(e(o.accuracyDrop, 3)) | \(e(o.agreement)) |")
                    }
                }
            }
            md.append("")
        }
        if !groups.isEmpty {
            md += ["## By group", "", "Float / int8 accuracy (mean over a head's labelled outputs) and age MAE.", "",
                   "| group | faces | head | float | int8 |", "|---|---|---|---|---|"]
            for g in groups {
                for h in g.heads {
                    let labelled = h.outputs.filter { $0.labelled > 0 }
                    guard !labelled.isEmpty else { continue }
                    func mean(_ k: KeyPath<DriftReport.Output, Estimate?>) -> String {
                        let v = labelled.compactMap { $0[keyPath: k]?.value }
                        return v.isEmpty ? "–" : String(format: "%.2f", v.reduce(0, +) / Double(v.count))
                    }
                    if h.kind == "regression" {
                        md.append("| \(g.group) | \(g.faces) | \(h.name) MAE | \(mean(\.referenceMAE)) | \(mean(\.candidateMAE)) |")
                    } else {
                        md.append("| \(g.group) | \(g.faces) | \(h.name) accuracy | \(mean(\.referenceAccuracy)) | \(mean(\.candidateAccuracy)) |")
                    }
                }
            }
            md.append("")
        }
        md += ["## Limitations", ""] + limitations.map { "- " + $0 } + [""]
        return md.joined(separator: "\n")
    }
}

extension DriftReport {
    /// The report as a model card keeps it: a raw head's outputs (a detector's thousands of scores
    /// and boxes, one per place and channel) are summarised by their mean agreement (of the signs
    /// of float and int8, output by output) instead of listed one by one.
    public var summarisingRawHeads: DriftReport {
        var report = self
        for i in report.heads.indices where report.heads[i].kind == "raw" { report.heads[i].outputs = [] }
        return report
    }
}
