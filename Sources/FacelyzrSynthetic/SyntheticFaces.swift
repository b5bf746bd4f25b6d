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
/// This target (FacelyzrSynthetic) depends on FacelyzrRandom only and builds as Embedded Swift
/// (tools/cross-isa/synthetic.sh); FacelyzrData adds the faces as `Image`s with `FaceLabels`
/// and the dataset splits:
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
    /// Drawn (the default) or shaded; the latents and labels of a face do not depend on it.
    public let rendering: SyntheticFaceRendering

    public init(configuration: SyntheticFaceConfiguration = SyntheticFaceConfiguration(), seed: UInt64 = 0, size: Int = 64,
                rendering: SyntheticFaceRendering = .drawn) {
        precondition(size >= 8, "synthetic faces need at least 8x8 pixels")
        self.configuration = configuration
        self.seed = seed
        self.size = size
        self.rendering = rendering
    }

    /// The latent variables of face `index`: who the face is and how it is pictured.
    public func latents(index: UInt64) -> SyntheticFaceLatents {
        var rng = SplitMix64(seed: seed, index: index)
        return SyntheticFaceLatents(drawingFrom: &rng, configuration: configuration)
    }

    /// Renders the face described by `latents` into `pixels` (size * size * 3 bytes, RGB
    /// interleaved, row-major), drawn or shaded as ``rendering`` says.
    public func render(_ latents: SyntheticFaceLatents, into pixels: UnsafeMutableBufferPointer<UInt8>) {
        switch rendering {
        case .drawn: renderFace(latents, size: size, into: pixels)
        case .shaded: renderShadedFace(latents, size: size, into: pixels)
        }
    }
}
