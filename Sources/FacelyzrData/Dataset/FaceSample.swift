/// Which part of a dataset a sample belongs to. Calibration samples are held out from
/// training and testing; the quantizer calibrates activation ranges on them.
public enum Split: UInt8, Sendable, Codable, CaseIterable {
    case train = 0
    case calibration = 1
    case test = 2

    /// The name used in manifests and reports.
    public var name: String {
        switch self {
        case .train: "train"
        case .calibration: "calibration"
        case .test: "test"
        }
    }
}

/// One sample of a dataset: pixels, labels (gender 1 = male, 0 = female; age in years;
/// CelebA attributes with a known-mask; see `FaceLabels`), split and where it came from.
public struct FaceSample: Sendable, Equatable {
    public var image: Image
    public var labels: FaceLabels
    /// Whether the picture shows a face at all (the LFW subset's label); nil when not labelled.
    public var isFace: Bool?
    public var split: Split
    /// A stable name of the original, such as `celeba/000001.jpg` (at most 96 UTF-8 bytes).
    public var sourceID: String

    public init(image: Image, labels: FaceLabels, isFace: Bool? = nil, split: Split, sourceID: String) {
        self.image = image
        self.labels = labels
        self.isFace = isFace
        self.split = split
        self.sourceID = sourceID
    }
}

extension Split {
    /// The split of a sample given a stable identity (a person, or a file name when the
    /// dataset names no person): 64-bit FNV-1a of the UTF-8 bytes, modulo 100; buckets
    /// 0-79 train, 80-89 calibration, 90-99 test. The same identity always lands in the
    /// same split, on every machine. See docs/data.md "Splits".
    public static func assigned(toIdentity identity: String) -> Split {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in identity.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        switch hash % 100 {
        case 0..<80: return .train
        case 80..<90: return .calibration
        default: return .test
        }
    }
}
