@testable import FacelyzrRuntime

/// Owns the arrays behind a `ChannelwiseWeights` for tests.
struct ChannelwiseArrays {
    var weights: [Int8]
    var bias: [Int32]
    var multipliers: [Int32]
    var shifts: [Int32]

    /// Unit requantisation (M = 2^30 with shift 1 is exactly x 1) on every channel.
    init(weights: [Int8], bias: [Int32]) {
        self.weights = weights
        self.bias = bias
        multipliers = Array(repeating: 1 << 30, count: bias.count)
        shifts = Array(repeating: 1, count: bias.count)
    }

    init(weights: [Int8], bias: [Int32], multipliers: [Int32], shifts: [Int32]) {
        self.weights = weights
        self.bias = bias
        self.multipliers = multipliers
        self.shifts = shifts
    }

    func withPointers<R>(_ body: (ChannelwiseWeights) -> R) -> R {
        weights.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                multipliers.withUnsafeBufferPointer { m in
                    shifts.withUnsafeBufferPointer { s in
                        body(ChannelwiseWeights(
                            weights: w.baseAddress!, bias: b.baseAddress!,
                            multipliers: m.baseAddress!, shifts: s.baseAddress!))
                    }
                }
            }
        }
    }
}

/// Runs an int8 -> int8 kernel on `input`, returning `count` outputs.
func run(
    _ input: [Int8], outputCount count: Int,
    _ kernel: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void
) -> [Int8] {
    var output = [Int8](repeating: 0x55, count: count)
    input.withUnsafeBufferPointer { i in
        output.withUnsafeMutableBufferPointer { o in kernel(i.baseAddress!, o.baseAddress!) }
    }
    return output
}

extension ConvolutionParameters {
    /// Parameters for `input`, with output size and leading padding from `padding`.
    static func make(
        input: TensorShape, outChannels: Int, kernel: (height: Int, width: Int),
        stride: (height: Int, width: Int), padding: Padding,
        inputZeroPoint: Int32 = 0, outputZeroPoint: Int32 = 0,
        outputMin: Int32 = -128, outputMax: Int32 = 127, rounding: RoundingMode = .double
    ) -> ConvolutionParameters {
        let rows = padding.outputLength(input: input.height, kernel: kernel.height, stride: stride.height)
        let columns = padding.outputLength(input: input.width, kernel: kernel.width, stride: stride.width)
        return ConvolutionParameters(
            input: input,
            output: TensorShape(height: rows.length, width: columns.length, channels: outChannels),
            kernelHeight: kernel.height, kernelWidth: kernel.width,
            strideHeight: stride.height, strideWidth: stride.width,
            padTop: rows.padBefore, padLeft: columns.padBefore,
            inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint,
            outputMin: outputMin, outputMax: outputMax, rounding: rounding)
    }
}
