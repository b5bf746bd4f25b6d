import FacelyzrData

/// The faces of one split of a `FaceSource`, labelled for the heads of an architecture: what
/// the trainer draws batches from (`TrainingFaces<TrainSplit>`) and scores on
/// (`TrainingFaces<TestSplit>`), so training never reads a held-out face. Face `i` is the
/// split's `i`-th, read when a batch asks for it (docs/training.md "Training data").
public struct TrainingFaces<S: SplitTag>: Sendable {
    public let faces: SplitFaces<S>
    private let targets: FaceLabelTargets

    /// Throws if the faces do not fit the architecture's input or a head names an unknown label.
    public init(_ faces: SplitFaces<S>, architecture: Architecture) throws(ArchitectureError) {
        let shape = faces.source.imageShape  // [height, width, channels]
        guard architecture.inputHeight == shape[0], architecture.inputWidth == shape[1], architecture.inputChannels == shape[2] else {
            throw ArchitectureError(layer: "input", reason: "\(faces.source.provenance): faces are \(shape[1])x\(shape[0])x\(shape[2]), "
                                    + "the network reads \(architecture.inputWidth)x\(architecture.inputHeight)x\(architecture.inputChannels)")
        }
        targets = try FaceLabelTargets(architecture: architecture)
        self.faces = faces
    }

    /// Number of faces.
    public var count: Int { faces.count }

    /// Says where the faces come from, for checkpoints (`SplitFaces.trainingProvenance`).
    public var provenance: String { faces.trainingProvenance }

    /// Normalised images `[indices.count, H, W, C]` (see `InputNormalization`) and, for each head
    /// of the architecture in order, its targets `[indices.count, labels]` in real units (0/1 for
    /// binary labels, years for age), NaN where a label is unknown. Throws when the faces
    /// cannot be read.
    public func batch(_ indices: [Int]) throws(DatasetError) -> (input: Tensor, targets: [Tensor]) {
        let batch = try faces.faces(indices)
        let shape = faces.source.imageShape
        var pixels: [UInt8] = []
        pixels.reserveCapacity(batch.count * shape.reduce(1, *))
        for face in batch { pixels += face.pixels }
        let input = InputNormalization.standard.normalize(pixels, count: batch.count, height: shape[0], width: shape[1], channels: shape[2])
        return (input, targets.targets(batch.map(\.labels), isFace: batch.map(\.isFace)))
    }
}
