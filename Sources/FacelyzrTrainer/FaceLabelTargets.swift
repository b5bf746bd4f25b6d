import FacelyzrData

/// Where one output of a head finds its target in `FaceLabels`.
enum LabelSource: Sendable, Equatable {
    /// `male`: 1 = male, 0 = female.
    case gender
    /// `age`, in years.
    case age
    /// `face`: 1 = the picture shows a face, 0 = it does not (`FaceSample.isFace`; docs/detection.md).
    case face
    /// `faceBoxX`, `faceBoxY`, `faceBoxLogScale`: the face box's offset from a detector's window
    /// (`FaceLabels.faceBox`, docs/detection.md "Box regression").
    case faceBox(FaceBoxComponent)
    /// A CelebA attribute, by its CelebA name (`Smiling`, `Eyeglasses`, ...).
    case attribute(CelebAAttribute)

    /// The source of the label `name`: `male`, `age`, `face`, `faceBoxX`, `faceBoxY`,
    /// `faceBoxLogScale`, or a CelebA attribute name.
    init(name: String) throws(ArchitectureError) {
        switch name {
        case "male": self = .gender
        case "age": self = .age
        case "face": self = .face
        case "faceBoxX": self = .faceBox(.x)
        case "faceBoxY": self = .faceBox(.y)
        case "faceBoxLogScale": self = .faceBox(.logScale)
        default:
            guard let a = CelebAAttribute(name: name) else {
                throw ArchitectureError(layer: "labels", reason: "no face label is called \(name) (use male, age, face, faceBoxX, faceBoxY, faceBoxLogScale or a CelebA attribute name)")
            }
            self = .attribute(a)
        }
    }

    /// The target: 0/1, years, window sides, or NaN when unknown. `isFace` is the sample's face / not-face label.
    func target(_ labels: FaceLabels, isFace: Bool?) -> Float {
        switch self {
        case .gender: labels.gender.map { Float($0) } ?? .nan
        case .age: labels.age ?? .nan
        case .face: isFace.map { $0 ? 1 : 0 } ?? .nan
        case .faceBox(let component): labels.faceBox.map { component.value(of: $0) } ?? .nan
        case .attribute(let a): labels.attributes[a].map { $0 ? 1 : 0 } ?? .nan
        }
    }
}

/// One value of a `FaceBoxOffset`.
enum FaceBoxComponent: Sendable, Equatable {
    case x, y, logScale

    func value(of box: FaceBoxOffset) -> Float {
        switch self {
        case .x: box.x
        case .y: box.y
        case .logScale: box.logScale
        }
    }
}

/// Turns `FaceLabels` into the per-head target tensors of an architecture.
struct FaceLabelTargets: Sendable {
    private let sources: [[LabelSource]]

    init(architecture: Architecture) throws(ArchitectureError) {
        var sources: [[LabelSource]] = []
        for head in architecture.heads {
            var row: [LabelSource] = []
            for name in head.labels { row.append(try LabelSource(name: name)) }
            sources.append(row)
        }
        self.sources = sources
    }

    /// One `[labels.count, outputs]` tensor per head; `isFace[n]` is sample `n`'s face / not-face label.
    func targets(_ labels: [FaceLabels], isFace: [Bool?]) -> [Tensor] {
        sources.map { row in
            var t = Tensor(zeros: [labels.count, row.count])
            for (n, l) in labels.enumerated() {
                for (j, source) in row.enumerated() { t.values[n * row.count + j] = source.target(l, isFace: isFace[n]) }
            }
            return t
        }
    }
}
