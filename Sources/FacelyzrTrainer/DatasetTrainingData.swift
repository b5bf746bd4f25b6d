import FacelyzrData

/// Training data from one split of a Facelyzr dataset file (`facelyzr import`, `facelyzr synth
/// --dataset`): image `i` is the split's `i`-th record, read when a batch asks for it.
public struct DatasetTrainingData: TrainingData, Sendable {
    public let reader: DatasetReader
    public let split: Split
    /// The split's record indices.
    public let records: [Int]
    private let targets: FaceLabelTargets

    public var count: Int { records.count }

    /// The records of `split` in `reader`, labelled for the heads of `architecture`.
    public init(reader: DatasetReader, split: Split, architecture: Architecture) throws(ArchitectureError) {
        let f = reader.format
        try checkInput(architecture, width: f.width, height: f.height, channels: f.channels, what: "\(reader.path)")
        targets = try FaceLabelTargets(architecture: architecture)
        self.reader = reader
        self.split = split
        records = reader.indices(in: split)
    }

    /// Says where the data comes from, for checkpoints.
    public var provenance: String { "dataset \(reader.path), \(split.name) split, \(count) records" }

    public func batch(_ indices: [Int]) throws -> (input: Tensor, targets: [Tensor]) {
        let samples = try reader.samples(at: indices.map { records[$0] })
        let f = reader.format
        var pixels: [UInt8] = []
        pixels.reserveCapacity(samples.count * f.pixelByteCount)
        for s in samples { pixels += s.image.pixels }
        let input = InputNormalization.standard.normalize(pixels, count: samples.count, height: f.height, width: f.width, channels: f.channels)
        return (input, targets.targets(samples.map(\.labels), isFace: samples.map(\.isFace)))
    }
}
