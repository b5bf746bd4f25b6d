/// SplitMix64 (Steele, Lea, Flood 2014): the package's one deterministic pseudo-random generator,
/// behind the synthetic faces, the dataset shuffle, the trainer's initialisation, corruption and
/// dropout, and the random-weight models of tests, benchmarks and fixtures.
///
/// Integer arithmetic only, so a stream is identical on every platform. The whole state is one
/// 64-bit word (a checkpoint stores it and a resumed run draws the same numbers). Each synthetic
/// face gets its own stream, seeded by ``SplitMix64/init(seed:index:)`` from the pair (seed, index).
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The current state; advancing adds the golden-ratio increment.
    public private(set) var state: UInt64

    /// A stream starting at `state`.
    public init(state: UInt64) {
        self.state = state
    }

    /// The stream of face `index` under `seed`: the state is a hash of both, so neighbouring
    /// indices and seeds give unrelated streams.
    public init(seed: UInt64, index: UInt64) {
        self.state = SplitMix64.mix(seed &+ SplitMix64.mix(index ^ 0x5851_F42D_4C95_7F2D))
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mixing function.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// Uniform in [0, 1), with 24 random bits (exact in `Float`): `(next() >> 40) * 2^-24`.
    @inline(__always)
    public mutating func unit() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    @inline(__always)
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * unit()
    }

    /// Approximately normal with the given mean and standard deviation: the Irwin-Hall sum of
    /// four uniforms (bounded at +-3.46 sd), which needs no logarithm or cosine.
    @inline(__always)
    public mutating func normal(mean: Float = 0, sd: Float = 1) -> Float {
        let sum = unit() + unit() + unit() + unit()
        // The sum has mean 2 and variance 4/12; scale to unit variance.
        return mean + sd * (sum - 2) * 1.732_050_8
    }

    /// True with probability `p`.
    @inline(__always)
    public mutating func chance(_ p: Float) -> Bool {
        unit() < p
    }

    /// An integer in 0..<count, from the high bits: `(next() >> 33) % count`.
    @inline(__always)
    public mutating func below(_ count: Int) -> Int {
        Int((next() >> 33) % UInt64(count))
    }
}
