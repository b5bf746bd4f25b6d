import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrHost
import FacelyzrRandom
import Foundation
import FacelyzrQuantizer
import FacelyzrRuntime
import FacelyzrTrainer

/// A small random network on 16x16 RGB synthetic faces with the three heads of the standard one:
/// three convolutions with pools and a global average pool, then gender, age and attributes.
public func tinyNetwork(seed: UInt64 = 1) -> Network {
    let architecture = Architecture(
        inputHeight: 16, inputWidth: 16, inputChannels: 3,
        encoder: [.conv2d(8), .maxPool2x2, .conv2d(16), .averagePool2x2, .conv2d(16), .globalAveragePool],
        heads: [
            HeadSpec(name: "gender", task: .binary, hidden: [.dense(8, activation: .relu), .dropout(0.2)], labels: ["male"]),
            HeadSpec(name: "age", task: .regression, hidden: [.dense(8, activation: .relu)], labels: ["age"],
                     outputScale: 20, outputOffset: 35),
            HeadSpec(name: "attributes", task: .binary, hidden: [.dense(8, activation: .relu)],
                     labels: ["Smiling", "Eyeglasses", "No_Beard"]),
        ])
    var generator = SplitMix64(state: seed)
    var network = try! Network(architecture, generator: &generator)
    network.visitParameters { name, p in
        if name.hasSuffix(".bias") {
            for i in p.value.values.indices { p.value.values[i] = generator.boxMullerNormal() * 0.1 }
        }
    }
    return network
}

public func tinyGraph(seed: UInt64 = 1) -> FloatGraph {
    try! FloatGraph(tinyNetwork(seed: seed), normalization: .standard)
}

public let tinyFaces = SyntheticFaceSource(seed: 3, size: 16)

/// A source that remembers which splits were read.
public final class RecordingSource: FaceSource, @unchecked Sendable {
    public let inner: any FaceSource
    public private(set) var readSplits: Set<Split> = []
    public private(set) var reads = 0
    public init(_ inner: any FaceSource) { self.inner = inner }
    public var provenance: String { inner.provenance }
    public var imageShape: [Int] { inner.imageShape }
    public func count(in split: Split) -> Int { inner.count(in: split) }
    public func face(_ index: Int, in split: Split) throws(DatasetError) -> LabelledFace {
        readSplits.insert(split)
        reads += 1
        return try inner.face(index, in: split)
    }
}

/// A fresh temporary directory.
public func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "facelyzr-test-\(UInt64.random(in: 0...UInt64.max))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `tinyNetwork(seed:)` as a checkpoint, after `edit` changes its tensors.
public func writeTinyCheckpoint(to path: String, seed: UInt64 = 1, edit: (inout [String: Tensor]) -> Void = { _ in }) {
    let network = tinyNetwork(seed: seed)
    let plan = TrainingPlan(seed: seed, batchSize: 4, pretraining: nil,
                            supervised: .init(steps: 0, optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(baseRate: 0.001, totalSteps: 1)), fineTuneEncoder: false))
    var trainer = try! Trainer(architecture: network.architecture, plan: plan, dataProvenance: "tiny random network for tests")
    var checkpoint = trainer.checkpoint()
    var copy = network
    copy.visitParameters { name, p in checkpoint.tensors[name] = p.value }
    edit(&checkpoint.tensors)
    try! checkpoint.write(to: path)
}

/// `tinyNetwork`'s architecture trained for a few hundred steps on synthetic faces, so its
/// decisions depend on the image (a random network's are mostly constant).
public let trainedTinyNetwork: Network = {
    let architecture = tinyNetwork().architecture
    let plan = TrainingPlan(seed: 4, batchSize: 32, pretraining: nil, supervised: .init(
        steps: 300, optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(baseRate: 0.005, totalSteps: 300)),
        fineTuneEncoder: true))
    var trainer = try! Trainer(architecture: architecture, plan: plan, dataProvenance: "tests: synthetic train split")
    let data = try! TrainingFaces(SplitFaces<TrainSplit>(tinyFaces, limit: 100_000), architecture: architecture)
    try! trainer.run(data)
    return trainer.network
}()

/// Writes `trainedTinyNetwork` as a checkpoint.
public func trainedTinyNetworkCheckpoint(to path: String) throws {
    writeTinyCheckpoint(to: path) { tensors in
        var network = trainedTinyNetwork
        network.visitParameters { name, p in tensors[name] = p.value }
    }
}

/// A copy of `blob` with the weights of op `op` negated, checksums resealed (so it opens).
public func perturbed(_ blob: [UInt8], op: Int) throws -> [UInt8] {
    let model = try LoadedModel(bytes: blob)
    let o = model.model.op(op)
    var weightsSection = 0
    let sections = Int(blob[BlobFormat.Header.sectionCount])
    for s in 0..<sections {
        let e = BlobFormat.Header.size + s * BlobFormat.SectionEntry.size
        if blob[e + BlobFormat.SectionEntry.kind] == UInt8(SectionKind.weights.rawValue) {
            weightsSection = (0..<8).reduce(0) { $0 | Int(blob[e + BlobFormat.SectionEntry.offset + $1]) << (8 * $1) }
        }
    }
    let count = model.model.tensor(o.output).shape.channels * o.kernelHeight * o.kernelWidth * model.model.tensor(o.input).shape.channels
    var copy = blob
    for i in 0..<count {
        let at = weightsSection + o.weightsOffset + i
        copy[at] = UInt8(bitPattern: 0 &- Int8(bitPattern: copy[at]))
    }
    BlobBuilder.sealChecksums(&copy)
    return copy
}
