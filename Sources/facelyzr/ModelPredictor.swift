import FacelyzrData
import FacelyzrQuantizer
import FacelyzrRuntime
import Foundation

/// The shipped model, where `facelyzr analyze` and `facelyzr demo` look for it by default.
let defaultModelPath = "firmware-model/facelyzr.blob"

/// One picture's predictions from an int8 blob: the raw int32 head outputs and what they mean
/// (`Model.prediction`: probabilities for binary and multi-label heads, years for age).
struct FacePrediction {
    struct Value: Encodable {
        var head: String
        var label: String
        var kind: String
        var value: Float
    }
    var values: [Value]
    var raw: [Int32]
    /// Seconds the int8 predict call took.
    var seconds: Double

    /// The value of output `label` (e.g. `male`, `age`, `Smiling`), if the model has it.
    func value(_ label: String) -> Float? { values.first { $0.label.lowercased() == label.lowercased() }?.value }

    /// `male 0.93  age 34.1  Smiling 0.80 ...`.
    var text: String {
        values.map { $0.kind == "regression" ? "\($0.label) \(String(format: "%.1f", $0.value))" : "\($0.label) \(String(format: "%.2f", $0.value))" }
            .joined(separator: "  ")
    }
}

/// Runs an int8 blob on pictures the size of its input (the caller prepares them).
///
/// Weights are packed once for the default kernels at load (docs/benchmarks.md), as a board
/// program would do, so the latency it reports is the runtime's real one.
final class ModelPredictor {
    let blob: Int8Model
    private let packedWeights: PackedWeightsBuffer

    init(path: String) throws {
        do {
            blob = try Int8Model(path: path)
        } catch {
            throw CommandFailure(description: "\(path): \(error)\(path == defaultModelPath ? " (run `make firmware-model`, or pass --model)" : "")")
        }
        packedWeights = PackedWeightsBuffer(for: blob.model)
    }

    var model: Model { blob.model }
    var input: ModelInput { blob.model.input }

    func predict(_ pixels: [UInt8]) -> FacePrediction {
        let model = blob.model
        precondition(pixels.count == model.input.byteCount)
        var raw = [Int32](repeating: 0, count: model.outputCount)
        let arena = UnsafeMutableRawPointer.allocate(byteCount: max(model.arenaByteCount, 1), alignment: 16)
        defer { arena.deallocate() }
        let start = DispatchTime.now().uptimeNanoseconds
        pixels.withUnsafeBufferPointer { p in
            raw.withUnsafeMutableBufferPointer { model.predict(using: DefaultKernels.self, pixels: p.baseAddress!, arena: arena, outputs: $0.baseAddress!,
                                                       layerOutputs: nil, packedWeights: packedWeights.pointer) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var values: [FacePrediction.Value] = []
        raw.withUnsafeBufferPointer { outputs in
            for i in 0..<model.outputCount {
                let head = model.head(owning: i)
                let kind = switch head.kind { case .binary: "binary"; case .regression: "regression"; case .multiLabel: "multi-label" }
                values.append(.init(head: String(decoding: head.name, as: UTF8.self), label: String(decoding: model.outputLabel(i), as: UTF8.self),
                                    kind: kind, value: model.prediction(output: i, outputs: outputs.baseAddress!)))
            }
        }
        return FacePrediction(values: values, raw: raw, seconds: seconds)
    }
}
