import FacelyzrBlobBuilder
import FacelyzrRandom
import FacelyzrRuntime

/// Random-weight models that together use every op, both paddings and roundings, strides 1
/// and 2, gray and RGB input, and the extremes of the numeric contract (weights +-127, zero
/// points -128 and 127, left shifts that saturate, an all-zero channel).
enum SampleModels {
    /// Weights, biases and requantization of one layer, drawn from `rng`.
    struct Layer {
        var weights: [Int8]
        var bias: [Int32]
        var requantization: [BlobBuilder.Requantization]

        /// `weightsPerChannel` int8 weights in [-127, 127] for each of `channels` outputs;
        /// `extremes` makes a third of them +-127 and channel 0 all zero.
        init(channels: Int, weightsPerChannel: Int, real: ClosedRange<Double>, extremes: Bool = false,
             rng: inout SplitMix64) {
            if extremes {
                weights = (0..<channels * weightsPerChannel).map { i in
                    if i < weightsPerChannel { return 0 }
                    if Int.random(in: 0..<3, using: &rng) == 0 { return Bool.random(using: &rng) ? 127 : -127 }
                    return Int8.random(in: -127...127, using: &rng)
                }
            } else {
                weights = rng.weights(channels * weightsPerChannel)
            }
            bias = rng.biases(channels, in: -4000...4000)
            requantization = rng.requantizations(channels, real: real)
        }
    }

    static func q(_ zeroPoint: Int32) -> BlobBuilder.Quantization {
        BlobBuilder.Quantization(scale: 0.05, zeroPoint: zeroPoint)
    }

    /// Adds the three heads every model ends with: gender (binary) and `attributes`
    /// multi-label outputs over `features`, age (regression) over `ageFeatures`.
    static func heads(
        _ b: inout BlobBuilder, features: BlobBuilder.Tensor, ageFeatures: BlobBuilder.Tensor? = nil,
        attributes: Int, rng: inout SplitMix64
    ) {
        let labels = ["smiling", "eyeglasses", "beard", "blond", "bald", "hat"]
        for (name, kind, count) in [("gender", HeadKind.binary, 1), ("age", .regression, 1),
                                    ("attributes", .multiLabel, attributes)] {
            let input = kind == .regression ? ageFeatures ?? features : features
            let layer = Layer(channels: count, weightsPerChannel: b.shape(input).elementCount, real: 0.001...0.002, rng: &rng)
            b.head(name, kind: kind, input: input, weights: layer.weights, bias: layer.bias,
                   scales: (0..<count).map { _ in Float.random(in: 0.001...0.01, using: &rng) },
                   labels: kind == .multiLabel ? Array(labels.prefix(count)) : [name == "age" ? "years" : "male"])
        }
    }

    /// 8x8 RGB touching every op: conv 3x3 same + ReLU, depthwise stride 2, max pool,
    /// conv 1x1 valid + ReLU6 with single rounding, then two branches: average pool (age) and
    /// global average pool + fully connected (gender, attributes).
    static func everyOp(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "every-op", height: 8, width: 8, pixelFormat: .rgb8)
        var l = Layer(channels: 4, weightsPerChannel: 27, real: 0.0005...0.004, rng: &rng)
        var x = b.conv2D(b.input, filters: 4, kernelHeight: 3, kernelWidth: 3, padding: .same,
                         weights: l.weights, bias: l.bias, requantization: l.requantization, output: q(-20), activation: .relu)
        l = Layer(channels: 4, weightsPerChannel: 9, real: 0.001...0.01, rng: &rng)
        x = b.depthwiseConv2D(x, strideHeight: 2, strideWidth: 2, padding: .same,
                              weights: l.weights, bias: l.bias, requantization: l.requantization, output: q(5))
        x = b.maxPool2x2(x)
        l = Layer(channels: 6, weightsPerChannel: 4, real: 0.001...0.02, rng: &rng)
        x = b.conv2D(x, filters: 6, kernelHeight: 1, kernelWidth: 1, padding: .valid, weights: l.weights, bias: l.bias,
                     requantization: l.requantization, output: q(-128), activation: .relu6, rounding: .single)
        let pooled = b.averagePool2x2(x)
        let gap = b.globalAveragePool(x)
        l = Layer(channels: 5, weightsPerChannel: 6, real: 0.001...0.02, rng: &rng)
        let features = b.fullyConnected(gap, outputs: 5, weights: l.weights, bias: l.bias,
                                        requantization: l.requantization, output: q(-7), activation: .relu)
        heads(&b, features: features, ageFeatures: pooled, attributes: 2, rng: &rng)
        return b
    }

    /// 16x16 RGB residual blocks (format v2's add): conv 3x3 + ReLU (the skip), conv 3x3, their
    /// add + ReLU with three different scales; max pool; conv 3x3 stride 1 whose output is added
    /// to the pooled tensor (zero points -128 and 127: the extremes); 20 channels, so the SIMD
    /// adds run whole blocks of 16 and a tail; zero pads of a row, a column and 12 channels.
    static func residual(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "residual", height: 16, width: 16, pixelFormat: .rgb8)
        let scaled = { (scale: Float, zeroPoint: Int32) in BlobBuilder.Quantization(scale: scale, zeroPoint: zeroPoint) }
        var l = Layer(channels: 20, weightsPerChannel: 27, real: 0.0005...0.004, rng: &rng)
        let skip = b.conv2D(b.input, filters: 20, kernelHeight: 3, kernelWidth: 3, padding: .same,
                            weights: l.weights, bias: l.bias, requantization: l.requantization, output: scaled(0.05, -128),
                            activation: .relu)
        l = Layer(channels: 20, weightsPerChannel: 180, real: 0.0005...0.002, rng: &rng)
        let branch = b.conv2D(skip, filters: 20, kernelHeight: 3, kernelWidth: 3, padding: .same,
                              weights: l.weights, bias: l.bias, requantization: l.requantization, output: scaled(0.08, 9))
        var x = b.add(skip, branch, requantization: BlobBuilder.addRequantization(input1: 0.05, input2: 0.08, output: 0.1)!,
                      output: scaled(0.1, -128), activation: .relu)
        let pooled = b.maxPool2x2(x)
        l = Layer(channels: 20, weightsPerChannel: 180, real: 0.0005...0.002, extremes: true, rng: &rng)
        let inner = b.conv2D(pooled, filters: 20, kernelHeight: 3, kernelWidth: 3, padding: .same,
                             weights: l.weights, bias: l.bias, requantization: l.requantization, output: scaled(0.12, 127))
        x = b.add(inner, pooled, requantization: BlobBuilder.addRequantization(input1: 0.12, input2: 0.1, output: 0.15)!,
                  output: scaled(0.15, -3))
        // The age net's pads: a row and column after, channels after (a downsampling shortcut).
        x = b.pad(b.pad(x, bottom: 1, right: 1), channelsAfter: 12)
        heads(&b, features: b.globalAveragePool(x), attributes: 2, rng: &rng)
        return b
    }

    /// 40x40 RGB, format v3 as the age net starts and ends: conv 7x7 stride 2 valid + ReLU,
    /// max pool 3x3 stride 2 valid, conv 3x3 same, max pool 3x3 stride 1 same with a ReLU
    /// clamp, a pad of a row and two columns with per-channel values, global average pool; a
    /// softmax head of 2 classes, an expected-value head of 81 bins (values 0...80) and a raw head.
    static func ageStem(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "age-stem", height: 40, width: 40, pixelFormat: .rgb8)
        var l = Layer(channels: 12, weightsPerChannel: 49 * 3, real: 0.0002...0.002, rng: &rng)
        var x = b.conv2D(b.input, filters: 12, kernelHeight: 7, kernelWidth: 7, strideHeight: 2, strideWidth: 2,
                         padding: .valid, weights: l.weights, bias: l.bias, requantization: l.requantization,
                         output: q(-128), activation: .relu)
        x = b.maxPool(x, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .valid)
        l = Layer(channels: 20, weightsPerChannel: 9 * 12, real: 0.0005...0.004, extremes: true, rng: &rng)
        x = b.conv2D(x, filters: 20, kernelHeight: 3, kernelWidth: 3, padding: .same, weights: l.weights, bias: l.bias,
                     requantization: l.requantization, output: q(-20))
        x = b.maxPool(x, kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, padding: .same, activation: .relu)
        x = b.pad(x, top: 1, right: 2, values: (0..<20).map { Int8(truncatingIfNeeded: $0 * 13 - 128) })
        let features = b.globalAveragePool(x)
        for (name, kind, count) in [("gender", HeadKind.softmax, 2), ("age", .expectedValue, 81), ("boxes", .raw, 4)] {
            let layer = Layer(channels: count, weightsPerChannel: 20, real: 0.001...0.002, rng: &rng)
            b.head(name, kind: kind, input: features, weights: layer.weights, bias: layer.bias,
                   scales: (0..<count).map { _ in Float.random(in: 0.001...0.01, using: &rng) },
                   labels: (0..<count).map { String($0) }, values: kind == .expectedValue ? (0..<count).map { Float($0) } : [])
        }
        return b
    }

    /// 32x32 RGB, format v4 as BlazeFace ends: conv 3x3 stride 2 same + ReLU (16x16x16),
    /// depthwise 3x3 stride 2 (8x8x16), and at every place of each map a per-place score head (2
    /// anchors) and box head (2 x 4 values), raw.
    static func detector(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "detector", height: 32, width: 32, pixelFormat: .rgb8)
        var l = Layer(channels: 16, weightsPerChannel: 9 * 3, real: 0.0005...0.004, rng: &rng)
        let fine = b.conv2D(b.input, filters: 16, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                            padding: .same, weights: l.weights, bias: l.bias, requantization: l.requantization,
                            output: q(-128), activation: .relu)
        l = Layer(channels: 16, weightsPerChannel: 9, real: 0.002...0.01, extremes: true, rng: &rng)
        let coarse = b.depthwiseConv2D(fine, strideHeight: 2, strideWidth: 2, padding: .same, weights: l.weights, bias: l.bias,
                                       requantization: l.requantization, output: q(3))
        for map in [fine, coarse] {
            for (name, count) in [("scores", 2), ("boxes", 8)] {
                let layer = Layer(channels: count, weightsPerChannel: 16, real: 0.001...0.002, extremes: name == "boxes", rng: &rng)
                b.head(name, kind: .raw, input: map, weights: layer.weights, bias: layer.bias,
                       scales: (0..<count).map { _ in Float.random(in: 0.001...0.01, using: &rng) },
                       labels: (0..<count).map { String($0) }, perPlace: true)
            }
        }
        return b
    }

    /// 32x32 RGB, the reference encoder's pattern at a quarter of its size: conv 3x3 + ReLU
    /// and 2x2 max pool, three times (8, 16, 16 filters), global average pool, fully connected.
    static func encoder(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "encoder-32", height: 32, width: 32, pixelFormat: .rgb8)
        var x = b.input
        for (index, filters) in [8, 16, 16].enumerated() {
            let inChannels = b.shape(x).channels
            let l = Layer(channels: filters, weightsPerChannel: 9 * inChannels, real: 0.0002...0.002, rng: &rng)
            let outZeroPoint: Int32 = [-128, -100, -90][index]
            x = b.conv2D(x, filters: filters, kernelHeight: 3, kernelWidth: 3, padding: .same,
                         weights: l.weights, bias: l.bias, requantization: l.requantization,
                         output: q(outZeroPoint), activation: .relu)
            if index < 2 { x = b.maxPool2x2(x) }
        }
        x = b.globalAveragePool(x)
        let l = Layer(channels: 8, weightsPerChannel: 16, real: 0.002...0.01, rng: &rng)
        let features = b.fullyConnected(x, outputs: 8, weights: l.weights, bias: l.bias,
                                        requantization: l.requantization, output: q(-128), activation: .relu)
        heads(&b, features: features, attributes: 4, rng: &rng)
        return b
    }

    /// 25x25 gray with the edges of the contract: valid padding and odd sizes, conv 5x5
    /// stride 2, depthwise stride 1, saturating left shifts (real factors above 1), an
    /// all-zero channel, weights +-127, zero points 127 and -128, no clamp.
    static func extremes(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "extremes", height: 25, width: 25, pixelFormat: .gray8)
        var l = Layer(channels: 6, weightsPerChannel: 25, real: 0.00001...3.0, extremes: true, rng: &rng)
        var x = b.conv2D(b.input, filters: 6, kernelHeight: 5, kernelWidth: 5, strideHeight: 2, strideWidth: 2,
                         padding: .valid, weights: l.weights, bias: l.bias, requantization: l.requantization,
                         output: q(127))
        l = Layer(channels: 6, weightsPerChannel: 9, real: 0.0001...1.5, extremes: true, rng: &rng)
        x = b.depthwiseConv2D(x, padding: .valid, weights: l.weights, bias: l.bias,
                              requantization: l.requantization, output: q(-128), rounding: .single)
        l = Layer(channels: 7, weightsPerChannel: 6 * 9, real: 0.00005...0.5, extremes: true, rng: &rng)
        x = b.conv2D(x, filters: 7, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 1,
                     padding: .same, weights: l.weights, bias: l.bias, requantization: l.requantization,
                     output: q(0), activation: .clamp(-100, 90))
        x = b.averagePool2x2(x)
        heads(&b, features: x, attributes: 3, rng: &rng)
        return b
    }

    /// 16x16 gray through two single-rounding convolutions the quad tiles take on aarch64
    /// (requantised after the tile by NEON there, by the scalar loop elsewhere): 3x3 valid to 20
    /// channels (a block and a partial one, all-zero channel, weights +-127, zero point 127), then
    /// 2x2 stride 2 to 40 channels with real factors up to 300, so that some outputs saturate
    /// int32 and the clamp, and ReLU.
    static func singleRounding(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "single-rounding", height: 16, width: 16, pixelFormat: .gray8)
        var l = Layer(channels: 20, weightsPerChannel: 9, real: 0.00001...3.0, extremes: true, rng: &rng)
        var x = b.conv2D(b.input, filters: 20, kernelHeight: 3, kernelWidth: 3, padding: .valid, weights: l.weights,
                         bias: l.bias, requantization: l.requantization, output: q(127), rounding: .single)
        l = Layer(channels: 40, weightsPerChannel: 4 * 20, real: 0.0001...300.0, extremes: true, rng: &rng)
        x = b.conv2D(x, filters: 40, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padding: .valid,
                     weights: l.weights, bias: l.bias, requantization: l.requantization, output: q(-128), activation: .relu,
                     rounding: .single)
        heads(&b, features: x, attributes: 2, rng: &rng)
        return b
    }

    /// The fixtures by file name.
    static let all: [(name: String, build: @Sendable () -> BlobBuilder)] = [
        ("every-op", { everyOp(seed: 11) }),
        ("encoder-32", { encoder(seed: 12) }),
        ("extremes", { extremes(seed: 13) }),
        ("residual", { residual(seed: 14) }),
        ("age-stem", { ageStem(seed: 15) }),
        ("single-rounding", { singleRounding(seed: 16) }),
        ("detector", { detector(seed: 17) }),
        // int16 activations (format version 5): every 16x8 op
        ("wide", { RandomWideModel.builder(seed: 18) }),
    ]

    /// `count` bytes of pseudo-random pixels for input `index`.
    static func pixels(_ count: Int, index: Int) -> [UInt8] {
        var rng = SplitMix64(state: 0xFACE_0000 &+ UInt64(index))
        return rng.bytes(count)
    }
}
