import FacelyzrBlobBuilder
import FacelyzrHost
import FacelyzrRandom
import FacelyzrRuntime

/// Small models for the tests, every op of format v1 in use, v2's add (`residual`), v3's heads (`heads`),
/// v4's per-place heads (`detector`).
public enum TestModels {
    /// The test models' parameter ranges: weights in [-127, 127], biases in [-3000, 3000],
    /// requantization factors in [0.0005, 0.004].
    public static func weights(_ count: Int, _ rng: inout SplitMix64) -> [Int8] { rng.weights(count) }
    public static func bias(_ count: Int, _ rng: inout SplitMix64) -> [Int32] { rng.biases(count, in: -3000...3000) }
    public static func requantization(_ count: Int, _ rng: inout SplitMix64) -> [BlobBuilder.Requantization] {
        rng.requantizations(count, real: 0.0005...0.004)
    }

    /// An 8x8 RGB encoder touching every op: conv 3x3 same + ReLU, depthwise 3x3 stride 2,
    /// max pool, conv 1x1 valid + ReLU6 (single rounding), average pool, conv 5x5 same stride 2,
    /// global average pool, fully connected, and three heads (binary, regression, multi-label).
    public static func everyOp(seed: UInt64 = 1) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "every-op", height: 8, width: 8, pixelFormat: .rgb8)
        let q = { (zp: Int32) in BlobBuilder.Quantization(scale: 0.05, zeroPoint: zp) }
        var x = b.conv2D(b.input, filters: 4, kernelHeight: 3, kernelWidth: 3, padding: .same,
                         weights: weights(4 * 9 * 3, &rng), bias: bias(4, &rng), requantization: requantization(4, &rng),
                         output: q(-20), activation: .relu)
        x = b.depthwiseConv2D(x, strideHeight: 2, strideWidth: 2, padding: .same,
                              weights: weights(9 * 4, &rng), bias: bias(4, &rng), requantization: requantization(4, &rng),
                              output: q(5))
        let pooled = b.maxPool2x2(x)
        x = b.conv2D(pooled, filters: 6, kernelHeight: 1, kernelWidth: 1, padding: .valid,
                     weights: weights(6 * 4, &rng), bias: bias(6, &rng), requantization: requantization(6, &rng),
                     output: q(-128), activation: .relu6, rounding: .single)
        x = b.averagePool2x2(x)
        x = b.conv2D(x, filters: 3, kernelHeight: 5, kernelWidth: 5, strideHeight: 2, strideWidth: 2, padding: .same,
                     weights: weights(3 * 25 * 6, &rng), bias: bias(3, &rng), requantization: requantization(3, &rng),
                     output: q(3))
        let gap = b.globalAveragePool(pooled)
        let features = b.fullyConnected(gap, outputs: 5, weights: weights(5 * 4, &rng), bias: bias(5, &rng),
                                        requantization: requantization(5, &rng), output: q(-7), activation: .relu)
        b.head("gender", kind: .binary, input: features, weights: weights(5, &rng), bias: bias(1, &rng),
               scales: [0.0025], labels: ["male"])
        b.head("age", kind: .regression, input: x, weights: weights(3, &rng), bias: bias(1, &rng),
               scales: [0.01], labels: ["years"])
        b.head("attributes", kind: .multiLabel, input: features, weights: weights(2 * 5, &rng), bias: bias(2, &rng),
               scales: [0.002, 0.003], labels: ["smiling", "eyeglasses"])
        return b
    }

    /// A 9x11 RGB model of conv2D + max pool steps: conv 3x3 same, 20 filters (a partial second
    /// block of 16), double rounding -> max pool (odd sizes: the last row and column dropped);
    /// conv 3x3 same, single rounding -> max pool; conv 1x1 whose output a max pool and a global
    /// average pool both read (not fusable); then heads. Ops 0 and 2 fuse with their pools.
    public static func convolutionsAndPools(seed: UInt64 = 3) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "conv-pools", height: 9, width: 11, pixelFormat: .rgb8)
        let q = { (zp: Int32) in BlobBuilder.Quantization(scale: 0.05, zeroPoint: zp) }
        var x = b.conv2D(b.input, filters: 20, kernelHeight: 3, kernelWidth: 3, padding: .same,
                         weights: weights(20 * 9 * 3, &rng), bias: bias(20, &rng), requantization: requantization(20, &rng),
                         output: q(-128), activation: .relu)
        x = b.maxPool2x2(x)
        x = b.conv2D(x, filters: 5, kernelHeight: 3, kernelWidth: 3, padding: .same,
                     weights: weights(5 * 9 * 20, &rng), bias: bias(5, &rng), requantization: requantization(5, &rng),
                     output: q(4), rounding: .single)
        x = b.maxPool2x2(x)
        let shared = b.conv2D(x, filters: 6, kernelHeight: 1, kernelWidth: 1, padding: .valid,
                              weights: weights(6 * 5, &rng), bias: bias(6, &rng), requantization: requantization(6, &rng),
                              output: q(-3))
        let pooled = b.maxPool2x2(shared)
        let gap = b.globalAveragePool(shared)
        b.head("gender", kind: .binary, input: b.globalAveragePool(pooled), weights: weights(6, &rng), bias: bias(1, &rng),
               scales: [0.0025], labels: ["male"])
        b.head("age", kind: .regression, input: gap, weights: weights(6, &rng), bias: bias(1, &rng),
               scales: [0.01], labels: ["years"])
        return b
    }

    /// An 8x8 RGB residual model (format v2): conv 3x3 same + ReLU (the skip tensor), conv 3x3
    /// same, their add + ReLU (three different scales: both inputs are rescaled), max pool,
    /// depthwise 3x3 same, an add of that and the pooled tensor (other zero points, no
    /// activation), a pad of a row and column after, another of a row before and two channels
    /// after, global average pool and two heads.
    public static func residual(seed: UInt64 = 5) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "residual", height: 8, width: 8, pixelFormat: .rgb8)
        let q = BlobBuilder.Quantization.init(scale:zeroPoint:)
        let skip = b.conv2D(b.input, filters: 6, kernelHeight: 3, kernelWidth: 3, padding: .same,
                            weights: weights(6 * 9 * 3, &rng), bias: bias(6, &rng), requantization: requantization(6, &rng),
                            output: q(0.04, -128), activation: .relu)
        let branch = b.conv2D(skip, filters: 6, kernelHeight: 3, kernelWidth: 3, padding: .same,
                              weights: weights(6 * 9 * 6, &rng), bias: bias(6, &rng), requantization: requantization(6, &rng),
                              output: q(0.07, 10))
        var x = b.add(skip, branch, requantization: BlobBuilder.addRequantization(input1: 0.04, input2: 0.07, output: 0.09)!,
                      output: q(0.09, -128), activation: .relu)
        let pooled = b.maxPool2x2(x)
        let d = b.depthwiseConv2D(pooled, padding: .same, weights: weights(9 * 6, &rng), bias: bias(6, &rng),
                                  requantization: requantization(6, &rng), output: q(0.03, -5))
        x = b.add(d, pooled, requantization: BlobBuilder.addRequantization(input1: 0.03, input2: 0.09, output: 0.1)!,
                  output: q(0.1, 3))
        // Zero pads as the age net's blocks use them: one row and column after, channels after.
        x = b.pad(b.pad(x, bottom: 1, right: 1), top: 1, channelsAfter: 2)
        let gap = b.globalAveragePool(x)
        b.head("gender", kind: .binary, input: gap, weights: weights(8, &rng), bias: bias(1, &rng),
               scales: [0.0025], labels: ["male"])
        b.head("age", kind: .regression, input: gap, weights: weights(8, &rng), bias: bias(1, &rng),
               scales: [0.01], labels: ["years"])
        return b
    }

    /// Version 3's ops and heads, as the age net starts and ends: a 20x20 RGB input, conv 7x7
    /// stride 2 valid (7x7x8), max pool 3x3 stride 2 valid (3x3x8), conv 3x3 same, max pool 3x3
    /// stride 1 same with a ReLU clamp, a pad of a row and a column with per-channel values, global
    /// average pool; a softmax gender head (2 classes), an
    /// expected-value age head (81 one-year bins) and a raw head (4 values).
    public static func heads(seed: UInt64 = 11) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "heads", height: 20, width: 20, pixelFormat: .rgb8)
        var x = b.conv2D(b.input, filters: 8, kernelHeight: 7, kernelWidth: 7, strideHeight: 2, strideWidth: 2, padding: .valid,
                         weights: weights(8 * 49 * 3, &rng), bias: bias(8, &rng), requantization: requantization(8, &rng),
                         output: .init(scale: 0.05, zeroPoint: -128), activation: .relu)
        x = b.maxPool(x, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .valid)
        x = b.conv2D(x, filters: 8, kernelHeight: 3, kernelWidth: 3, padding: .same,
                     weights: weights(8 * 9 * 8, &rng), bias: bias(8, &rng), requantization: requantization(8, &rng),
                     output: .init(scale: 0.05, zeroPoint: 10))
        x = b.maxPool(x, kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, padding: .same, activation: .relu)
        x = b.pad(x, bottom: 1, right: 1, values: [-128, 127, 0, 10, 11, -5, 60, 10])
        let features = b.globalAveragePool(x)
        b.head("gender", kind: .softmax, input: features, weights: weights(2 * 8, &rng), bias: bias(2, &rng),
               scales: [0.004, 0.003], labels: ["female", "male"])
        b.head("age", kind: .expectedValue, input: features, weights: weights(81 * 8, &rng),
               bias: bias(81, &rng), scales: [Float](repeating: 0.002, count: 81),
               labels: (0..<81).map { String($0) }, values: (0..<81).map { Float($0) })
        b.head("boxes", kind: .raw, input: features, weights: weights(4 * 8, &rng), bias: bias(4, &rng),
               scales: [0.01, 0.01, 0.02, 0.02], labels: ["x", "y", "w", "h"])
        return b
    }

    /// Version 4's per-place heads, as a single-shot detector ends: a 12x12 RGB input, conv 3x3
    /// stride 2 same + ReLU (6x6x8), a score head and a box head at its 36 places, then conv 3x3
    /// stride 2 same (3x3x8) with score and box heads at its 9 places: 2 anchors a place, a
    /// score and 4 box values each, 450 raw outputs.
    public static func detector(seed: UInt64 = 13) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        var b = BlobBuilder(name: "detector", height: 12, width: 12, pixelFormat: .rgb8)
        let fine = b.conv2D(b.input, filters: 8, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .same,
                            weights: weights(8 * 9 * 3, &rng), bias: bias(8, &rng), requantization: requantization(8, &rng),
                            output: .init(scale: 0.05, zeroPoint: -128), activation: .relu)
        let coarse = b.conv2D(fine, filters: 8, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .same,
                              weights: weights(8 * 9 * 8, &rng), bias: bias(8, &rng), requantization: requantization(8, &rng),
                              output: .init(scale: 0.05, zeroPoint: 7))
        for (name, map) in [("fine", fine), ("coarse", coarse)] {
            b.head("\(name) scores", kind: .raw, input: map, weights: weights(2 * 8, &rng), bias: bias(2, &rng),
                   scales: [0.003, 0.004], labels: ["a0", "a1"], perPlace: true)
            b.head("\(name) boxes", kind: .raw, input: map, weights: weights(8 * 8, &rng), bias: bias(8, &rng),
                   scales: [Float](repeating: 0.01, count: 8), labels: ["x0", "y0", "w0", "h0", "x1", "y1", "w1", "h1"], perPlace: true)
        }
        return b
    }

    /// `RandomWideModel.builder`: every 16x8 op (format version 5).
    public static func wide(seed: UInt64 = 17) -> BlobBuilder { RandomWideModel.builder(seed: seed) }

    public static func pixels(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        return rng.bytes(count)
    }
}

/// Opens `bytes` and passes the model to `body` (the model must not escape it).
public func withModel<R>(_ bytes: [UInt8], _ body: (Model) throws -> R) throws -> R {
    let loaded = try LoadedModel(bytes: bytes)
    return try withExtendedLifetime(loaded) { try body(loaded.model) }
}

/// Runs `model` on `pixels` with `kernels` (over weights packed for them if `packed`); returns
/// the head outputs and every layer's output (none with `layerOutputs` false: then `predict`
/// fuses steps).
public func run<K: KernelSet>(
    _ model: Model, _ pixels: [UInt8], _ kernels: K.Type = DefaultKernels.self, packed: Bool = false,
    layerOutputs: Bool = true
) -> (outputs: [Int32], layers: [Int8]) {
    let packedWeights = UnsafeMutableRawBufferPointer.allocate(
        byteCount: max(model.packedWeightsByteCount(for: kernels), 1), alignment: 16)
    defer { packedWeights.deallocate() }
    if packed { model.packWeights(for: kernels, into: packedWeights.baseAddress!) }
    var arena = [UInt8](repeating: 0xA5, count: model.arenaByteCount)
    var outputs = [Int32](repeating: 0, count: model.outputCount)
    var layers = [Int8](repeating: 0, count: layerOutputs ? model.layerOutputByteCount : 0)
    pixels.withUnsafeBufferPointer { p in
        arena.withUnsafeMutableBytes { a in
            outputs.withUnsafeMutableBufferPointer { o in
                layers.withUnsafeMutableBufferPointer { l in
                    model.predict(using: kernels, pixels: p.baseAddress!, arena: a.baseAddress!, outputs: o.baseAddress!,
                                  layerOutputs: layerOutputs ? l.baseAddress! : nil,
                                  packedWeights: packed ? UnsafeRawPointer(packedWeights.baseAddress!) : nil)
                }
            }
        }
    }
    return (outputs, layers)
}
