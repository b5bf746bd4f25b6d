import FacelyzrRandom

/// Draws of the random-weight models (``RandomEncoder``, the embedded fixtures, the tests):
/// the same bytes on every machine for the same stream.
extension SplitMix64 {
    /// `count` int8 weights, uniform in [-127, 127] (the format's symmetric weight range).
    public mutating func weights(_ count: Int) -> [Int8] {
        (0..<count).map { _ in Int8.random(in: -127...127, using: &self) }
    }

    /// `count` int32 biases, uniform in `range`.
    public mutating func biases(_ count: Int, in range: ClosedRange<Int32>) -> [Int32] {
        (0..<count).map { _ in Int32.random(in: range, using: &self) }
    }

    /// `count` requantizations of the real factors `scale * u`, `u` uniform in `range`.
    public mutating func requantizations(_ count: Int, real range: ClosedRange<Double>, scale: Double = 1)
        -> [BlobBuilder.Requantization]
    {
        (0..<count).map { _ in BlobBuilder.Requantization(real: scale * Double.random(in: range, using: &self)) }
    }

    /// `count` uniform bytes (pixels): the low byte of each `next()`.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
