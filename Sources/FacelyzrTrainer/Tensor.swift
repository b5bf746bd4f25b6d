import FacelyzrRandom

/// A dense float32 tensor, row-major. Activations are NHWC (`[batch, height, width, channels]`),
/// convolution weights OHWI (`[out, kernelHeight, kernelWidth, in]`), dense weights `[out, in]`.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "value count does not match the shape")
        self.shape = shape
        self.values = values
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor filled from `generator` with a normal distribution of mean 0 and deviation `standardDeviation`.
    public init(normal shape: [Int], standardDeviation: Float, generator: inout SplitMix64) {
        self.init(zeros: shape)
        for i in values.indices { values[i] = generator.boxMullerNormal() * standardDeviation }
    }

    /// A tensor whose values the caller writes, every one, before reading any (skips the zero
    /// fill for outputs a product or a copy overwrites whole).
    init(uninitialized shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, values: [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }

    public var count: Int { values.count }

    /// Batch size of an NHWC (or `[batch, features]`) tensor.
    public var batch: Int { shape[0] }
    /// Elements per batch item.
    public var itemCount: Int { batch == 0 ? 0 : count / batch }

    /// Sets every value to zero, keeping the shape.
    public mutating func zero() {
        values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
