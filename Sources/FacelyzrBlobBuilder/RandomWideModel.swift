import FacelyzrRandom
import FacelyzrRuntime

/// A random-weight model of every 16x8 op (format version 5, docs/quantization.md section 11),
/// for the runtime's tests and the cross-ISA check (tools/embedded/check.sh).
public enum RandomWideModel {
    /// The model for `seed` (the same bytes on every machine), 10x10 RGB: conv 3x3
    /// same + ReLU from the int8 pixels to int16, max pool 3x3/2 same, conv 3x3 same int16 ->
    /// int16, an int16 add of it and the pool, average pool 2x2, a channel pad, depthwise 3x3
    /// same + ReLU, conv 1x1 int16 -> int8 (a boundary back to int8), conv 1x1 int8 -> int16,
    /// fully connected int16 -> int16, global average pool of the add's branch, and two heads
    /// over int16 inputs, one with int64 biases beyond int32.
    public static func builder(seed: UInt64 = 17) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "wide", height: 10, width: 10, pixelFormat: .rgb8)
        let q16 = { (scale: Float) in BlobBuilder.Quantization(scale: scale, zeroPoint: 0, element: .nhwcInt16) }
        let wideBias = { (count: Int, rng: inout SplitMix64) in rng.biases(count, in: -3000...3000).map { Int64($0) * 1000 } }
        let stem = b.conv2D(b.input, filters: 6, kernelHeight: 3, kernelWidth: 3, padding: .same, weights: rng.weights(6 * 27),
                            bias: wideBias(6, &rng), requantization: rng.requantizations(6, real: 0.02...0.05), output: q16(0.001),
                            activation: .relu)
        let pooled = b.maxPool(stem, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .same)
        let branch = b.conv2D(pooled, filters: 6, kernelHeight: 3, kernelWidth: 3, padding: .same, weights: rng.weights(6 * 54),
                              bias: wideBias(6, &rng), requantization: rng.requantizations(6, real: 0.0001...0.0004), output: q16(0.002))
        let sum = b.add(branch, pooled, requantization: BlobBuilder.addRequantization(input1: 0.002, input2: 0.001, output: 0.003, int16: true)!,
                        output: q16(0.003), activation: .relu)
        let averaged = b.averagePool2x2(sum)
        let padded = b.pad(averaged, top: 1, left: 0, channelsAfter: 2)
        let depthwise = b.depthwiseConv2D(padded, padding: .same, weights: rng.weights(9 * 8), bias: wideBias(8, &rng),
                                          requantization: rng.requantizations(8, real: 0.002...0.01), output: q16(0.004), activation: .relu)
        let narrow = b.conv2D(depthwise, filters: 5, kernelHeight: 1, kernelWidth: 1, padding: .valid, weights: rng.weights(5 * 8),
                              bias: wideBias(5, &rng), requantization: rng.requantizations(5, real: 0.00002...0.0001),
                              output: BlobBuilder.Quantization(scale: 0.05, zeroPoint: -20))
        let widened = b.conv2D(narrow, filters: 4, kernelHeight: 1, kernelWidth: 1, padding: .valid, weights: rng.weights(4 * 5),
                               bias: wideBias(4, &rng), requantization: rng.requantizations(4, real: 0.5...2), output: q16(0.01))
        let dense = b.fullyConnected(widened, outputs: 7, weights: rng.weights(7 * b.shape(widened).elementCount), bias: wideBias(7, &rng),
                                     requantization: rng.requantizations(7, real: 0.0001...0.001), output: q16(0.02))
        b.head("dense", kind: .regression, input: dense, weights: rng.weights(2 * 7), bias: [Int64(1) << 40, -(Int64(1) << 40)],
               scales: [1e-9, 1e-9], labels: ["a", "b"])
        let global = b.globalAveragePool(branch)
        b.head("global", kind: .softmax, input: global, weights: rng.weights(3 * 6), bias: wideBias(3, &rng),
               scales: [1e-6, 1e-6, 1e-6], labels: ["x", "y", "z"])
        return b
    }
}
