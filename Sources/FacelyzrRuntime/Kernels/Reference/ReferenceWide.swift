// The reference 16x8 kernels (docs/quantization.md "16-bit activations"), bit-exact with
// TFLite's reference_integer_ops int16 kernels: int16 activations with zero point 0 (an int8
// input or output keeps its zero point: the boundary of a model's int16 part), int8 weights,
// int64 bias and accumulators, `wideOutputStage` (TFLite's int64 MultiplyByQuantizedMultiplier).

extension Reference {
    /// 2-D convolution (OHWI weights) or, with `depthwise`, depthwise convolution (HWC weights,
    /// depth multiplier 1) of a 16x8 op: `acc = sum over in-image taps of w * (x - inputZeroPoint)
    /// + bias` in int64, then `wideOutputStage` (TFLite ConvPerChannel / DepthwiseConvPerChannel,
    /// int16 overloads). `p.rounding` is not read: the op has one rounding.
    @inlinable
    public static func wideConvolution<In: ActivationElement, Out: ActivationElement>(
        _ p: ConvolutionParameters, depthwise: Bool, input: UnsafePointer<In>, filter: WideWeights, output: UnsafeMutablePointer<Out>
    ) {
        let inChannels = p.input.channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                for outChannel in 0..<p.output.channels {
                    var acc: Int64 = 0
                    for kernelY in 0..<p.kernelHeight {
                        let inY = outY * p.strideHeight - p.padTop + kernelY
                        if inY < 0 || inY >= p.input.height { continue }
                        for kernelX in 0..<p.kernelWidth {
                            let inX = outX * p.strideWidth - p.padLeft + kernelX
                            if inX < 0 || inX >= p.input.width { continue }
                            let pixel = input + (inY * p.input.width + inX) * inChannels
                            if depthwise {
                                let w = filter.weights[(kernelY * p.kernelWidth + kernelX) * inChannels + outChannel]
                                acc &+= widen(Int32(w) &* (pixel[outChannel].int32 &- p.inputZeroPoint))
                            } else {
                                let row = filter.weights + ((outChannel * p.kernelHeight + kernelY) * p.kernelWidth + kernelX) * inChannels
                                for inChannel in 0..<inChannels {
                                    acc &+= widen(Int32(row[inChannel]) &* (pixel[inChannel].int32 &- p.inputZeroPoint))
                                }
                            }
                        }
                    }
                    acc &+= filter.bias[outChannel]
                    output[(outY * p.output.width + outX) * p.output.channels + outChannel] = Out(narrowing: wideOutputStage(
                        acc, multiplier: filter.multipliers[outChannel], shift: filter.shifts[outChannel],
                        outputZeroPoint: p.outputZeroPoint, outputMin: p.outputMin, outputMax: p.outputMax))
                }
            }
        }
    }

    /// Fully connected 16x8 op, weights `[outputCount][inputCount]` (TFLite
    /// FullyConnectedPerChannel with int64 bias): `wideAccumulator` per output, then `wideOutputStage`.
    @inlinable
    public static func wideFullyConnected<In: ActivationElement, Out: ActivationElement>(
        _ p: FullyConnectedParameters, input: UnsafePointer<In>, filter: WideWeights, output: UnsafeMutablePointer<Out>
    ) {
        for o in 0..<p.outputCount {
            output[o] = Out(narrowing: wideOutputStage(
                wideAccumulator(p, input: input, weights: filter.weights, bias: filter.bias, output: o),
                multiplier: filter.multipliers[o], shift: filter.shifts[o], outputZeroPoint: p.outputZeroPoint,
                outputMin: p.outputMin, outputMax: p.outputMax))
        }
    }

    /// A head's last layer over a 16-bit input: the int64 accumulators saturated to int32
    /// (docs/quantization.md "16-bit activations", heads).
    @inlinable
    public static func wideFullyConnectedAccumulators<In: ActivationElement>(
        _ p: FullyConnectedParameters, input: UnsafePointer<In>, weights: UnsafePointer<Int8>, bias: UnsafePointer<Int64>,
        output: UnsafeMutablePointer<Int32>
    ) {
        for o in 0..<p.outputCount {
            output[o] = saturatingHeadOutput(wideAccumulator(p, input: input, weights: weights, bias: bias, output: o))
        }
    }

    /// `sum_i w[o][i] * (x[i] - inputZeroPoint) + bias[o]` in int64.
    @inlinable
    static func wideAccumulator<In: ActivationElement>(
        _ p: FullyConnectedParameters, input: UnsafePointer<In>, weights: UnsafePointer<Int8>, bias: UnsafePointer<Int64>, output o: Int
    ) -> Int64 {
        var acc: Int64 = 0
        let row = weights + o * p.inputCount
        for i in 0..<p.inputCount {
            acc &+= widen(Int32(row[i]) &* (input[i].int32 &- p.inputZeroPoint))
        }
        return acc &+ bias[o]
    }

    /// Element-wise add of two int16 tensors (TFLite ADD int16, general scales:
    /// `AddParameters.element(of:_:)` with a left shift of 15).
    public static func wideAdd(
        _ p: AddParameters, input1: UnsafePointer<Int16>, input2: UnsafePointer<Int16>, output: UnsafeMutablePointer<Int16>
    ) {
        for i in 0..<p.count {
            output[i] = p.element(of: input1[i], input2[i])
        }
    }
}
