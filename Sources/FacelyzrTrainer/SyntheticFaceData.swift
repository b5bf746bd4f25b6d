import FacelyzrData

/// Where one output of a head finds its target in `FaceLabels`.
enum LabelSource: Sendable, Equatable {
    /// `male`: 1 = male, 0 = female.
    case gender
    /// `age`, in years.
    case age
    /// A CelebA attribute, by its CelebA name (`Smiling`, `Eyeglasses`, ...).
    case attribute(CelebAAttribute)

    init(name: String) throws(ArchitectureError) {
        switch name {
        case "male": self = .gender
        case "age": self = .age
        default:
            guard let a = CelebAAttribute(name: name) else {
                throw ArchitectureError(layer: "labels", reason: "no face label is called \(name) (use male, age or a CelebA attribute name)")
            }
            self = .attribute(a)
        }
    }

    /// The target: 0/1, years, or NaN when unknown.
    func target(_ labels: FaceLabels) -> Float {
        switch self {
        case .gender: labels.gender.map { Float($0.rawValue) } ?? .nan
        case .age: labels.age ?? .nan
        case .attribute(let a): labels[a].map { $0 ? 1 : 0 } ?? .nan
        }
    }
}

/// Training data from the synthetic face generator: image `i` is face `split.syntheticIndex(i)`, rendered
/// when a batch asks for it, so nothing is stored.
public struct SyntheticFaceData: TrainingData, Sendable {
    public let faces: SyntheticFaces
    public let split: Split
    public let count: Int
    private let sources: [[LabelSource]]

    /// The first `count` faces of `split`, labelled for the heads of `architecture` (whose input
    /// must be `faces.size` square and RGB).
    public init(faces: SyntheticFaces, split: Split, count: Int, architecture: Architecture) throws(ArchitectureError) {
        guard architecture.inputHeight == faces.size, architecture.inputWidth == faces.size, architecture.inputChannels == 3 else {
            throw ArchitectureError(layer: "input", reason: "synthetic faces are \(faces.size)x\(faces.size)x3, the network reads "
                                    + "\(architecture.inputHeight)x\(architecture.inputWidth)x\(architecture.inputChannels)")
        }
        var sources: [[LabelSource]] = []
        for head in architecture.heads {
            var row: [LabelSource] = []
            for name in head.labels { row.append(try LabelSource(name: name)) }
            sources.append(row)
        }
        self.faces = faces
        self.split = split
        self.count = count
        self.sources = sources
    }

    /// Says where the data comes from, for checkpoints.
    public var provenance: String {
        "synthetic faces (generator version \(SyntheticFaces.generatorVersion), seed \(faces.seed), \(faces.size)x\(faces.size)), "
            + "\(split.name) split, faces 0..<\(count)"
    }

    public func batch(_ indices: [Int]) -> (input: Tensor, targets: [Tensor]) {
        let imageBytes = faces.size * faces.size * 3
        var pixels = [UInt8](repeating: 0, count: indices.count * imageBytes)
        var targets = sources.map { Tensor(zeros: [indices.count, $0.count]) }
        pixels.withUnsafeMutableBufferPointer { all in
            for (n, i) in indices.enumerated() {
                let slot = UnsafeMutableBufferPointer(rebasing: all[(n * imageBytes)..<((n + 1) * imageBytes)])
                let labels = faces.render(index: split.syntheticIndex(UInt64(i)), into: slot)
                for h in sources.indices {
                    for (l, source) in sources[h].enumerated() {
                        targets[h].values[n * sources[h].count + l] = source.target(labels)
                    }
                }
            }
        }
        let input = InputNormalization.standard.normalize(pixels, count: indices.count, height: faces.size, width: faces.size, channels: 3)
        return (input, targets)
    }
}
