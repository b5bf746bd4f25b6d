import FacelyzrRandom

/// The embedded synthetic face generator: plausible frontal RGB faces with ground truth,
/// deterministic from (seed, index).
///
/// Face `index` under `seed` is always the same picture, byte for byte, on every run and
/// platform: its randomness is a ``SplitMix64`` stream seeded from (seed, index), and the
/// renderer uses only IEEE basic arithmetic (docs/synthetic-faces.md "Determinism"). So
/// training can stream fresh faces and nothing has to be stored. The value is immutable and
/// can be shared across threads.
///
/// ```swift
/// let faces = SyntheticFaces(configuration: .init(), seed: 7)
/// let (image, labels) = faces.sample(index: Split.test.syntheticIndex(0))
/// ```
public struct SyntheticFaces: Sendable {
    /// Bumped by every change that alters any generated image or label; golden files and
    /// experiments record it.
    public static let generatorVersion = 2

    /// The population and imaging conditions drawn from.
    public let configuration: SyntheticFaceConfiguration
    /// Selects one of 2^64 independent populations of faces.
    public let seed: UInt64
    /// Width and height of the generated images, in pixels.
    public let size: Int

    public init(configuration: SyntheticFaceConfiguration = SyntheticFaceConfiguration(), seed: UInt64 = 0, size: Int = 64) {
        precondition(size >= 8, "synthetic faces need at least 8x8 pixels")
        self.configuration = configuration
        self.seed = seed
        self.size = size
    }

    /// The latent variables of face `index`: who the face is and how it is pictured.
    public func latents(index: UInt64) -> SyntheticFaceLatents {
        var rng = SplitMix64(seed: seed, index: index)
        return SyntheticFaceLatents(drawingFrom: &rng, configuration: configuration)
    }

    /// Face `index` and its labels.
    public func sample(index: UInt64) -> (image: Image, labels: FaceLabels) {
        let latents = latents(index: index)
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        pixels.withUnsafeMutableBufferPointer { render(latents, into: $0) }
        return (Image(width: size, height: size, channels: 3, pixels: pixels), latents.labels)
    }

    /// Renders face `index` into `pixels` (size * size * 3 bytes, RGB interleaved, row-major)
    /// and returns its labels; for streaming into a caller's batch buffer.
    @discardableResult
    public func render(index: UInt64, into pixels: UnsafeMutableBufferPointer<UInt8>) -> FaceLabels {
        let latents = latents(index: index)
        render(latents, into: pixels)
        return latents.labels
    }

    /// Renders the face described by `latents` into `pixels` (size * size * 3 bytes).
    public func render(_ latents: SyntheticFaceLatents, into pixels: UnsafeMutableBufferPointer<UInt8>) {
        renderFace(latents, size: size, into: pixels)
    }
}

/// The generator's index ranges for the dataset splits: the i-th synthetic face of a split is
/// generator index `split.syntheticIndex(i)`. The ranges are disjoint, so the splits never
/// share a face: test 0 ..< 1,000,000, calibration 1,000,000 ..< 2,000,000, train from
/// 2,000,000 on (practically unbounded, for streaming).
extension Split {
    /// The split's first generator index.
    public var syntheticStart: UInt64 {
        switch self {
        case .test: 0
        case .calibration: 1_000_000
        case .train: 2_000_000
        }
    }

    /// How many synthetic faces the split holds.
    public var syntheticCount: UInt64 {
        switch self {
        case .test, .calibration: 1_000_000
        case .train: UInt64.max - 2_000_000
        }
    }

    /// The generator index of the split's `i`-th synthetic face.
    public func syntheticIndex(_ i: UInt64) -> UInt64 {
        precondition(i < syntheticCount, "index beyond the \(name) split")
        return syntheticStart + i
    }
}
