extension Fast {
    /// Bit-exact with `Reference.conv2D`. Output channel outermost: its folded bias
    /// `bias - inputZeroPoint * sum(w)` is computed once, and for each kernel row the in-image
    /// taps are one contiguous dot product over `kernelX * inChannels` (OHWI weights and NHWC
    /// input rows are both contiguous there). Taps outside the image add `inputZeroPoint * w`.
    public static func conv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        let inChannels = p.input.channels
        let rowLength = p.kernelWidth * inChannels
        let filterLength = p.kernelHeight * rowLength
        let zeroPoint = p.inputZeroPoint
        for outChannel in 0..<p.output.channels {
            let weights = filter.weights + outChannel * filterLength
            let foldedBias = filter.bias[outChannel] &- zeroPoint &* sum(weights, count: filterLength)
            let multiplier = filter.multipliers[outChannel]
            let shift = filter.shifts[outChannel]
            for outY in 0..<p.output.height {
                let inY0 = outY * p.strideHeight - p.padTop
                for outX in 0..<p.output.width {
                    let inX0 = outX * p.strideWidth - p.padLeft
                    // In-image columns of the window: kernelX in first..<last.
                    let first = max(0, -inX0)
                    let last = max(first, min(p.kernelWidth, p.input.width - inX0))
                    var acc = foldedBias
                    for kernelY in 0..<p.kernelHeight {
                        let row = weights + kernelY * rowLength
                        let inY = inY0 + kernelY
                        if inY < 0 || inY >= p.input.height || first == last {
                            acc &+= zeroPoint &* sum(row, count: rowLength)
                            continue
                        }
                        acc &+= dot(row + first * inChannels,
                                    input + (inY * p.input.width + inX0 + first) * inChannels,
                                    count: (last - first) * inChannels)
                        if first > 0 {
                            acc &+= zeroPoint &* sum(row, count: first * inChannels)
                        }
                        if last < p.kernelWidth {
                            acc &+= zeroPoint &* sum(row + last * inChannels, count: (p.kernelWidth - last) * inChannels)
                        }
                    }
                    output[(outY * p.output.width + outX) * p.output.channels + outChannel] = requantizeToInt8(
                        acc, multiplier: multiplier, shift: shift, rounding: p.rounding,
                        outputZeroPoint: p.outputZeroPoint, outputMin: p.outputMin, outputMax: p.outputMax)
                }
            }
        }
    }

    /// Scratch bytes `depthwiseConv2D` needs: two int32 per channel (folded biases and
    /// accumulators).
    public static func depthwiseConv2DScratchByteCount(_ p: ConvolutionParameters) -> Int {
        2 * p.input.channels * MemoryLayout<Int32>.size
    }

    /// Bit-exact with `Reference.depthwiseConv2D`. Channels innermost (contiguous in HWC weights
    /// and NHWC input): per output pixel, every tap is one multiply-add over all channels into
    /// int32 accumulators in `scratch`; taps outside the image use the value `inputZeroPoint`.
    /// `scratch` holds `depthwiseConv2DScratchByteCount(p)` bytes aligned to `scratchAlignment`.
    public static func depthwiseConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>, scratch: UnsafeMutableRawPointer
    ) {
        let channels = p.input.channels
        let foldedBias = scratch.assumingMemoryBound(to: Int32.self)
        let acc = foldedBias + channels
        let zeroPoint = p.inputZeroPoint
        for c in 0..<channels {
            foldedBias[c] = filter.bias[c]
        }
        for tap in 0..<(p.kernelHeight * p.kernelWidth) {
            let w = filter.weights + tap * channels
            for c in 0..<channels {
                foldedBias[c] &-= zeroPoint &* Int32(w[c])
            }
        }
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                for c in 0..<channels {
                    acc[c] = foldedBias[c]
                }
                for kernelY in 0..<p.kernelHeight {
                    let inY = outY * p.strideHeight - p.padTop + kernelY
                    for kernelX in 0..<p.kernelWidth {
                        let inX = outX * p.strideWidth - p.padLeft + kernelX
                        let w = filter.weights + (kernelY * p.kernelWidth + kernelX) * channels
                        if inY < 0 || inY >= p.input.height || inX < 0 || inX >= p.input.width {
                            for c in 0..<channels {
                                acc[c] &+= Int32(w[c]) &* zeroPoint
                            }
                        } else {
                            let x = input + (inY * p.input.width + inX) * channels
                            for c in 0..<channels {
                                acc[c] &+= Int32(w[c]) &* Int32(x[c])
                            }
                        }
                    }
                }
                let out = output + (outY * p.output.width + outX) * channels
                for c in 0..<channels {
                    out[c] = requantizeToInt8(
                        acc[c], multiplier: filter.multipliers[c], shift: filter.shifts[c], rounding: p.rounding,
                        outputZeroPoint: p.outputZeroPoint, outputMin: p.outputMin, outputMax: p.outputMax)
                }
            }
        }
    }
}
