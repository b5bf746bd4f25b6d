import FacelyzrData
import FacelyzrSynthetic

/// Training data from the synthetic face generator: image `i` is face `split.syntheticIndex(i)`,
/// rendered when a batch asks for it, so nothing is stored.
public struct SyntheticFaceData: TrainingData, Sendable {
    public let faces: SyntheticFaces
    public let split: Split
    public let count: Int
    private let targets: FaceLabelTargets

    /// The first `count` faces of `split`, labelled for the heads of `architecture` (whose input
    /// must be `faces.size` square and RGB).
    public init(faces: SyntheticFaces, split: Split, count: Int, architecture: Architecture) throws(ArchitectureError) {
        try checkInput(architecture, width: faces.size, height: faces.size, channels: 3, what: "a synthetic face")
        targets = try FaceLabelTargets(architecture: architecture)
        self.faces = faces
        self.split = split
        self.count = count
    }

    /// Says where the data comes from, for checkpoints.
    public var provenance: String {
        "synthetic faces (generator version \(SyntheticFaces.generatorVersion), seed \(faces.seed), \(faces.size)x\(faces.size)), "
            + "\(split.name) split, faces 0..<\(count)"
    }

    public func batch(_ indices: [Int]) -> (input: Tensor, targets: [Tensor]) {
        let imageBytes = faces.size * faces.size * 3
        var pixels = [UInt8](repeating: 0, count: indices.count * imageBytes)
        var labels: [FaceLabels] = []
        pixels.withUnsafeMutableBufferPointer { all in
            for (n, i) in indices.enumerated() {
                let slot = UnsafeMutableBufferPointer(rebasing: all[(n * imageBytes)..<((n + 1) * imageBytes)])
                labels.append(faces.render(index: split.syntheticIndex(UInt64(i)), into: slot))
            }
        }
        let input = InputNormalization.standard.normalize(pixels, count: indices.count, height: faces.size, width: faces.size, channels: 3)
        return (input, targets.targets(labels, isFace: labels.map { _ in true }))
    }
}
