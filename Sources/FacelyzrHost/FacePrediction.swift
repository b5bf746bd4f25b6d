import FacelyzrRuntime
import Foundation

/// One picture's predictions from an int8 blob: the raw int32 head outputs and what they mean
/// (`Model.prediction`: probabilities for binary and multi-label heads, years for age).
public struct FacePrediction: Sendable {
    /// One head output, named.
    public struct Value: Encodable, Equatable, Sendable {
        /// The head's name (`gender`, `age`, `attributes`).
        public var head: String
        /// The output's label (`male`, `age`, `Smiling`).
        public var label: String
        /// `binary`, `regression` or `multi-label`.
        public var kind: String
        /// A probability, or the regression's value.
        public var value: Float
    }

    public var values: [Value]
    public var raw: [Int32]
    /// Seconds the int8 predict call took.
    public var seconds: Double

    /// The value of output `label` (e.g. `male`, `age`, `Smiling`), if the model has it.
    public func value(_ label: String) -> Float? { values.first { $0.label.lowercased() == label.lowercased() }?.value }

    /// `male 0.93  age 34.1  Smiling 0.80 ...`.
    public var text: String {
        values.map { $0.kind == "regression" ? "\($0.label) \(String(format: "%.1f", $0.value))" : "\($0.label) \(String(format: "%.2f", $0.value))" }
            .joined(separator: "  ")
    }
}

extension LoadedModel {
    /// Runs one picture (`input.byteCount` bytes, prepared by the caller) and names its outputs.
    public func predict(_ pixels: [UInt8]) -> FacePrediction {
        let start = DispatchTime.now().uptimeNanoseconds
        pixels.withUnsafeBufferPointer { run($0) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let raw = rawOutputs
        let values = (0..<model.outputCount).map { i in
            let head = model.head(owning: i)
            let kind = switch head.kind { case .binary: "binary"; case .regression: "regression"; case .multiLabel: "multi-label" }
            return FacePrediction.Value(head: String(decoding: head.name, as: UTF8.self), label: String(decoding: model.outputLabel(i), as: UTF8.self),
                                        kind: kind, value: model.prediction(output: i, outputs: raw.baseAddress!))
        }
        return FacePrediction(values: values, raw: Array(raw), seconds: seconds)
    }
}
