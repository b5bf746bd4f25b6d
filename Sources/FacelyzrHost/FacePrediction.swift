import FacelyzrRuntime
import Foundation

/// One picture's predictions from an int8 blob: the raw int32 head outputs and what they mean
/// (`Model.predictions`: probabilities for binary, multi-label and softmax heads and for the bins
/// of expected-value heads, values for regression and raw heads), and what each softmax or
/// expected-value head decides (`Model.headResult`).
public struct FacePrediction: Sendable {
    /// One head output, named.
    public struct Value: Encodable, Equatable, Sendable {
        /// The head's name (`gender`, `age`, `attributes`).
        public var head: String
        /// The output's label (`male`, `age`, `Smiling`).
        public var label: String
        /// `binary`, `regression`, `multi-label`, `softmax`, `expected-value` or `raw`.
        public var kind: String
        /// A probability, or the regression's value.
        public var value: Float
    }

    /// What a softmax or expected-value head decides.
    public struct HeadValue: Encodable, Equatable, Sendable {
        /// The head's name.
        public var head: String
        /// `softmax` or `expected-value`.
        public var kind: String
        /// The label of the most probable class or bin.
        public var decision: String
        /// The decided class's probability (softmax), the expected value (expected-value).
        public var value: Float
    }

    /// A raw head's values (a detector's score or box tensor, docs/model-import.md "Detector
    /// heads"): its outputs in order, all places of a per-place head one after another.
    public struct RawHead: Encodable, Equatable, Sendable {
        /// The head's name (e.g. `regressors[0..<512]`).
        public var head: String
        public var values: [Float]
    }

    public var values: [Value]
    /// One per softmax or expected-value head, in head order (empty for the other kinds).
    public var heads: [HeadValue]
    public var raw: [Int32]
    /// Seconds the int8 predict call took.
    public var seconds: Double

    /// The value of output `label` (e.g. `male`, `age`, `Smiling`), or else of the softmax or
    /// expected-value head of that name, if the model has it.
    public func value(_ label: String) -> Float? {
        values.first { $0.label.lowercased() == label.lowercased() }?.value
            ?? heads.first { $0.head.lowercased() == label.lowercased() }?.value
    }

    /// The values of the heads that are not raw, by label (the first one where labels repeat).
    public var labelled: [String: Float] {
        Dictionary(values.filter { $0.kind != "raw" }.map { ($0.label, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The raw heads, in head order, each with all its values.
    public var rawHeads: [RawHead] {
        var heads: [RawHead] = []
        for value in values where value.kind == "raw" {
            if heads.last?.head == value.head { heads[heads.count - 1].values.append(value.value) }
            else { heads.append(RawHead(head: value.head, values: [value.value])) }
        }
        return heads
    }

    /// `male 0.93  age 34.1  Smiling 0.80 ...`; a softmax head as `gender female 0.83`, an
    /// expected-value head as `age 34.2` (their outputs one by one are in `values`); a raw head
    /// as its output value when it has one, else as its name and value count (a detector's
    /// tensor: `--json` lists the values).
    public var text: String {
        let summarised = Set(heads.map(\.head))
        let outputs = values.filter { !summarised.contains($0.head) && $0.kind != "raw" }.map {
            $0.kind == "regression" ? "\($0.label) \(String(format: "%.1f", $0.value))"
                : "\($0.label) \(String(format: "%.2f", $0.value))"
        }
        let raws = rawHeads.map {
            $0.values.count == 1 ? "\($0.head) \(String(format: "%.1f", $0.values[0]))" : "\($0.head) \($0.values.count) raw values"
        }
        let decisions = heads.map {
            $0.kind == "softmax" ? "\($0.head) \($0.decision) \(String(format: "%.2f", $0.value))" : "\($0.head) \(String(format: "%.1f", $0.value))"
        }
        return (outputs + raws + decisions).joined(separator: "  ")
    }
}

extension HeadKind {
    /// The kind's name in `facelyzr analyze` and `inspect`: `binary`, `regression`, `multi-label`,
    /// `softmax`, `expected-value`, `raw`.
    public var name: String {
        switch self {
        case .binary: "binary"
        case .regression: "regression"
        case .multiLabel: "multi-label"
        case .softmax: "softmax"
        case .expectedValue: "expected-value"
        case .raw: "raw"
        }
    }
}

extension LoadedModel {
    /// Runs one picture (`input.byteCount` bytes, prepared by the caller) and names its outputs.
    public func predict(_ pixels: [UInt8]) -> FacePrediction {
        let start = DispatchTime.now().uptimeNanoseconds
        pixels.withUnsafeBufferPointer { run($0) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let raw = rawOutputs
        var predictions = [Float](repeating: 0, count: model.outputCount)
        predictions.withUnsafeMutableBufferPointer { model.predictions(outputs: raw.baseAddress!, into: $0.baseAddress!) }
        let values = (0..<model.outputCount).map { i in
            let head = model.head(owning: i)
            return FacePrediction.Value(head: String(decoding: head.name, as: UTF8.self), label: String(decoding: model.outputLabel(i), as: UTF8.self),
                                        kind: head.kind.name, value: predictions[i])
        }
        let heads = (0..<model.headCount).compactMap { h -> FacePrediction.HeadValue? in
            let head = model.head(h)
            guard head.kind == .softmax || head.kind == .expectedValue else { return nil }
            let result = model.headResult(h, outputs: raw.baseAddress!)
            return FacePrediction.HeadValue(
                head: String(decoding: head.name, as: UTF8.self), kind: head.kind.name,
                decision: String(decoding: model.outputLabel(head.firstOutput + result.decision), as: UTF8.self), value: result.value)
        }
        return FacePrediction(values: values, heads: heads, raw: Array(raw), seconds: seconds)
    }
}
