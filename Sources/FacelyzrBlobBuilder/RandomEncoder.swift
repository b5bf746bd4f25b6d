import FacelyzrRandom
import FacelyzrRuntime

/// The reference encoder shape (the one the latency and instruction-count goals of
/// docs/benchmarks.md were measured on) with deterministic random weights: 64x64 RGB, conv 3x3 same + ReLU with 16, 32, 64 and 64 filters and a 2x2 max pool
/// after each of the first three (13.6 M MACs), then global average pool, a 32-feature fully
/// connected layer and the three heads (gender, age, 8 attributes). Benchmarks and the peer
/// comparison (docs/benchmarks.md) run it until the quantizer ships a trained model.
public enum RandomEncoder {
    /// Filters of the four convolutions.
    public static let filters = [16, 32, 64, 64]

    /// The model for `seed` (the same bytes on every machine).
    public static func builder(seed: UInt64 = 64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "random-encoder-64", height: 64, width: 64, pixelFormat: .rgb8)
        var x = b.input
        for (index, count) in filters.enumerated() {
            let inChannels = b.shape(x).channels
            let taps = 9 * inChannels
            // Uniform int8 weights and activations give accumulators of standard deviation about
            // sqrt(taps) * 73 * 73; this factor maps that to about 40 output steps, so the
            // activations use the int8 range instead of saturating.
            let real = 40 / (Double(taps).squareRoot() * 73 * 73)
            x = b.conv2D(
                x, filters: count, kernelHeight: 3, kernelWidth: 3, padding: .same,
                weights: rng.weights(count * taps), bias: rng.biases(count, in: biasRange),
                requantization: rng.requantizations(count, real: spread, scale: real),
                output: BlobBuilder.Quantization(scale: 0.05, zeroPoint: -128), activation: .relu)
            if index < filters.count - 1 { x = b.maxPool2x2(x) }
        }
        x = b.globalAveragePool(x)
        let features = b.fullyConnected(
            x, outputs: 32, weights: rng.weights(32 * 64), bias: rng.biases(32, in: biasRange),
            requantization: rng.requantizations(32, real: spread, scale: 40 / (8 * 73 * 73)),
            output: BlobBuilder.Quantization(scale: 0.05, zeroPoint: -128), activation: .relu)
        let attributes = ["smiling", "eyeglasses", "beard", "blond", "bald", "hat", "bangs", "makeup"]
        for (name, kind, labels) in [("gender", HeadKind.binary, ["male"]), ("age", .regression, ["years"]),
                                     ("attributes", .multiLabel, attributes)] {
            b.head(name, kind: kind, input: features, weights: rng.weights(labels.count * 32),
                   bias: rng.biases(labels.count, in: biasRange), scales: labels.map { _ in 0.001 }, labels: labels)
        }
        return b
    }

    /// `count` bytes of pseudo-random pixels for input `index`.
    public static func pixels(_ count: Int, index: Int) -> [UInt8] {
        var rng = SplitMix64(state: 0xFACE_6400 &+ UInt64(index))
        return rng.bytes(count)
    }

    /// Biases are uniform in this range.
    static let biasRange: ClosedRange<Int32> = -4000...4000
    /// Each channel's requantization factor is the layer's nominal factor times a draw from this range.
    static let spread: ClosedRange<Double> = 0.8...1.25
}
