import FacelyzrRandom
import FacelyzrRuntime

/// The reference encoder shape of DESIGN.md ("Measured anchors") with deterministic random
/// weights: 64x64 RGB, conv 3x3 same + ReLU with 16, 32, 64 and 64 filters and a 2x2 max pool
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
                weights: weights(count * taps, &rng), bias: biases(count, &rng),
                requantization: requantization(count, real: real, &rng),
                output: BlobBuilder.Quantization(scale: 0.05, zeroPoint: -128), activation: .relu)
            if index < filters.count - 1 { x = b.maxPool2x2(x) }
        }
        x = b.globalAveragePool(x)
        let features = b.fullyConnected(
            x, outputs: 32, weights: weights(32 * 64, &rng), bias: biases(32, &rng),
            requantization: requantization(32, real: 40 / (8 * 73 * 73), &rng),
            output: BlobBuilder.Quantization(scale: 0.05, zeroPoint: -128), activation: .relu)
        let attributes = ["smiling", "eyeglasses", "beard", "blond", "bald", "hat", "bangs", "makeup"]
        for (name, kind, labels) in [("gender", HeadKind.binary, ["male"]), ("age", .regression, ["years"]),
                                     ("attributes", .multiLabel, attributes)] {
            b.head(name, kind: kind, input: features, weights: weights(labels.count * 32, &rng),
                   bias: biases(labels.count, &rng), scales: labels.map { _ in 0.001 }, labels: labels)
        }
        return b
    }

    /// `count` bytes of pseudo-random pixels for input `index`.
    public static func pixels(_ count: Int, index: Int) -> [UInt8] {
        var rng = SplitMix64(state: 0xFACE_6400 &+ UInt64(index))
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    static func weights(_ count: Int, _ rng: inout SplitMix64) -> [Int8] {
        (0..<count).map { _ in Int8.random(in: -127...127, using: &rng) }
    }

    static func biases(_ count: Int, _ rng: inout SplitMix64) -> [Int32] {
        (0..<count).map { _ in Int32.random(in: -4000...4000, using: &rng) }
    }

    static func requantization(_ count: Int, real: Double, _ rng: inout SplitMix64) -> [BlobBuilder.Requantization] {
        (0..<count).map { _ in BlobBuilder.Requantization(real: real * Double.random(in: 0.8...1.25, using: &rng)) }
    }
}
