extension Reference {
    /// 2-D convolution, OHWI weights, per-output-channel requantisation (docs/quantization.md
    /// "Convolution"): `acc = sum over in-image taps of w * (x - inputZeroPoint) + bias`;
    /// taps outside the input are skipped (they are real zero).
    public static func conv2D(
        _ p: ConvolutionParameters, plan: KernelPlan = .canonical, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        let inChannels = p.input.channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                for outChannel in 0..<p.output.channels {
                    var acc: Int32 = 0
                    for kernelY in 0..<p.kernelHeight {
                        let inY = outY * p.strideHeight - p.padTop + kernelY
                        if inY < 0 || inY >= p.input.height { continue }
                        for kernelX in 0..<p.kernelWidth {
                            let inX = outX * p.strideWidth - p.padLeft + kernelX
                            if inX < 0 || inX >= p.input.width { continue }
                            for inChannel in 0..<inChannels {
                                let x = Int32(input[(inY * p.input.width + inX) * inChannels + inChannel])
                                let w = Int32(filter.weights[
                                    ((outChannel * p.kernelHeight + kernelY) * p.kernelWidth + kernelX)
                                        * inChannels + inChannel])
                                acc &+= w &* (x &- p.inputZeroPoint)
                            }
                        }
                    }
                    acc &+= filter.bias[outChannel]
                    output[(outY * p.output.width + outX) * p.output.channels + outChannel] = requantizeToInt8(
                        acc, multiplier: filter.multipliers[outChannel], shift: filter.shifts[outChannel],
                        rounding: p.rounding, outputZeroPoint: p.outputZeroPoint,
                        outputMin: p.outputMin, outputMax: p.outputMax)
                }
            }
        }
    }

    /// Depthwise 2-D convolution with depth multiplier 1, HWC weights (docs/quantization.md
    /// "Convolution"): channel `c` of the output sees only channel `c` of the input.
    public static func depthwiseConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        let channels = p.input.channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                for channel in 0..<channels {
                    var acc: Int32 = 0
                    for kernelY in 0..<p.kernelHeight {
                        let inY = outY * p.strideHeight - p.padTop + kernelY
                        if inY < 0 || inY >= p.input.height { continue }
                        for kernelX in 0..<p.kernelWidth {
                            let inX = outX * p.strideWidth - p.padLeft + kernelX
                            if inX < 0 || inX >= p.input.width { continue }
                            let x = Int32(input[(inY * p.input.width + inX) * channels + channel])
                            let w = Int32(filter.weights[(kernelY * p.kernelWidth + kernelX) * channels + channel])
                            acc &+= w &* (x &- p.inputZeroPoint)
                        }
                    }
                    acc &+= filter.bias[channel]
                    output[(outY * p.output.width + outX) * channels + channel] = requantizeToInt8(
                        acc, multiplier: filter.multipliers[channel], shift: filter.shifts[channel],
                        rounding: p.rounding, outputZeroPoint: p.outputZeroPoint,
                        outputMin: p.outputMin, outputMax: p.outputMax)
                }
            }
        }
    }
}
