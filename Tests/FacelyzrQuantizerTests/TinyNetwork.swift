import FacelyzrData
import FacelyzrQuantizer
import FacelyzrTrainer

/// A small random network on 16x16 RGB synthetic faces with the three heads of the standard one:
/// three convolutions with pools and a global average pool, then gender, age and attributes.
func tinyNetwork(seed: UInt64 = 1) -> Network {
    let architecture = Architecture(
        inputHeight: 16, inputWidth: 16, inputChannels: 3,
        encoder: [.conv2d(8), .maxPool2x2, .conv2d(16), .averagePool2x2, .conv2d(16), .globalAveragePool],
        heads: [
            HeadSpec(name: "gender", task: .binary, hidden: [.dense(8, activation: .relu), .dropout(0.2)], labels: ["Male"]),
            HeadSpec(name: "age", task: .regression, hidden: [.dense(8, activation: .relu)], labels: ["age"],
                     outputScale: 20, outputOffset: 35),
            HeadSpec(name: "attributes", task: .binary, hidden: [.dense(8, activation: .relu)],
                     labels: ["Smiling", "Eyeglasses", "No_Beard"]),
        ])
    var generator = RandomGenerator(seed: seed)
    var network = try! Network(architecture, generator: &generator)
    network.visitParameters { name, p in
        if name.hasSuffix(".bias") {
            for i in p.value.values.indices { p.value.values[i] = generator.nextNormal() * 0.1 }
        }
    }
    return network
}

func tinyGraph(seed: UInt64 = 1) -> FloatGraph {
    try! FloatGraph(tinyNetwork(seed: seed), normalization: .standard)
}

let tinyFaces = SyntheticFaceSource(seed: 3, size: 16)

/// A source that remembers which splits were read.
final class RecordingSource: FaceSource, @unchecked Sendable {
    let inner: any FaceSource
    private(set) var readSplits: Set<Split> = []
    private(set) var reads = 0
    init(_ inner: any FaceSource) { self.inner = inner }
    var provenance: String { inner.provenance }
    var imageShape: [Int] { inner.imageShape }
    var attributeNames: [String] { inner.attributeNames }
    func count(in split: Split) -> Int { inner.count(in: split) }
    func face(_ index: Int, in split: Split) throws(QuantizerError) -> LabelledFace {
        readSplits.insert(split)
        reads += 1
        return try inner.face(index, in: split)
    }
}
