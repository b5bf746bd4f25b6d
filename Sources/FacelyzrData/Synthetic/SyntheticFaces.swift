import FacelyzrSynthetic

/// The generator's faces as `Image`s with `FaceLabels` (docs/synthetic-faces.md); the generator
/// itself is FacelyzrSynthetic's `SyntheticFaces`.
extension SyntheticFaces {
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
