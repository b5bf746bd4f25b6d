import FacelyzrRandom

/// Inverted dropout forward: zeroes each value with probability `rate` and scales the others by
/// `1 / (1 - rate)`, so inference is the identity. `mask` receives the per-value factor.
public func dropoutForward(_ input: Tensor, rate: Float, generator: inout SplitMix64, mask: inout [Float]) -> Tensor {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
    let keep = 1 / (1 - rate)
    mask = [Float](repeating: 0, count: input.count)
    var output = input
    for i in 0..<input.count {
        mask[i] = generator.unit() < rate ? 0 : keep
        output.values[i] *= mask[i]
    }
    return output
}

/// Dropout backward: the gradient passes through the same mask.
public func dropoutBackward(_ outputGradient: Tensor, mask: [Float]) -> Tensor {
    var inputGradient = outputGradient
    for i in 0..<mask.count { inputGradient.values[i] *= mask[i] }
    return inputGradient
}
