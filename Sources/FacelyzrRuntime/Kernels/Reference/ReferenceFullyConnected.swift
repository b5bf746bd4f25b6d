extension Reference {
    /// Fully connected layer with int8 output, weights `[outputCount][inputCount]`
    /// (docs/quantization.md "Fully connected"):
    /// `output[o] = requantize(sum_i w[o][i] * (x[i] - inputZeroPoint) + bias[o])`.
    public static func fullyConnected(
        _ p: FullyConnectedParameters, plan: KernelPlan = .canonical, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        for o in 0..<p.outputCount {
            let acc = accumulator(p, input: input, weights: filter.weights, bias: filter.bias, output: o)
            output[o] = requantizeToInt8(
                acc, multiplier: filter.multipliers[o], shift: filter.shifts[o], rounding: p.rounding,
                outputZeroPoint: p.outputZeroPoint, outputMin: p.outputMin, outputMax: p.outputMax)
        }
    }

    /// A head's last fully connected layer: the raw int32 accumulators
    /// `sum_i w[o][i] * (x[i] - inputZeroPoint) + bias[o]`, not requantised
    /// (docs/quantization.md "Heads").
    public static func fullyConnectedAccumulators(
        _ p: FullyConnectedParameters, plan: KernelPlan = .canonical, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int32>
    ) {
        for o in 0..<p.outputCount {
            output[o] = accumulator(p, input: input, weights: weights, bias: bias, output: o)
        }
    }

    private static func accumulator(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output o: Int
    ) -> Int32 {
        var acc: Int32 = 0
        for i in 0..<p.inputCount {
            acc &+= Int32(weights[o * p.inputCount + i]) &* (Int32(input[i]) &- p.inputZeroPoint)
        }
        return acc &+ bias[o]
    }
}
