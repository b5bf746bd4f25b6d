extension Fast {
    /// Bit-exact with `Reference.conv2D`, run as `plan` says: over `filter.packed` (written by
    /// `pack` for the same plan) in pixel lanes, quad tiles or pairs; with a `direct` plan
    /// (`KernelPlan.canonical`) over the canonical weights, output channel outermost: its
    /// folded bias `bias - inputZeroPoint * sum(w)` is computed once, and for each kernel row
    /// the in-image taps are one contiguous dot product over `kernelX * inChannels` (OHWI
    /// weights and NHWC input rows are both contiguous there). Taps outside the image add
    /// `inputZeroPoint * w`.
    public static func conv2D(
        _ p: ConvolutionParameters, plan: KernelPlan = .canonical, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        #if arch(x86_64)
        if plan.mode == .lanes {
            pixelLanesConv2D(p, input: input, packed: filter.packed!, output: output)
            return
        }
        #endif
        #if arch(x86_64) || arch(arm64)
        if plan.mode == .runs || plan.mode == .tiles {
            quadConv2D(p, input: input, packed: filter.packed!, output: output, plan: plan)
            return
        }
        #endif
        if plan.mode == .pairs {
            packedConv2D(p, input: input, packed: filter.packed!, output: output, plan: plan)
            return
        }
        trace(.conv2D, .portable, .direct)
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

    /// Bit-exact with `Reference.conv2D` then `Reference.maxPool2x2`. Where `plan.maxPool` is
    /// `inKernel` (pixel lanes; quad tiles with double rounding) the kernel pools too
    /// (`pixelLanesConv2D`, `quadConv2D`), and `convolved` is not written; otherwise `conv2D`
    /// into `convolved`, then `maxPool2x2`.
    public static func conv2DMaxPool2x2(
        _ p: ConvolutionParameters, plan: KernelPlan = .canonical, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        convolved: UnsafeMutablePointer<Int8>, pool: PoolParameters, output: UnsafeMutablePointer<Int8>
    ) {
        #if arch(x86_64) || arch(arm64)
        if plan.maxPool == .inKernel {
            #if arch(x86_64)
            if plan.mode == .lanes {
                pixelLanesConv2D(p, input: input, packed: filter.packed!, output: output, maxPool: true)
                return
            }
            #endif
            // The convolution's output is not written: past the pooled values (which may start
            // there), its memory holds the input with the padding made explicit.
            let used = (pool.output.elementCount + 63) / 64 * 64
            if let (padded, paddedInput) = explicitlyPadded(
                p, input: input, into: convolved + used, capacity: p.output.elementCount - used) {
                quadConv2D(padded, input: paddedInput, packed: filter.packed!, output: output, plan: plan, maxPool: true)
            } else {
                quadConv2D(p, input: input, packed: filter.packed!, output: output, plan: plan, maxPool: true)
            }
            return
        }
        #endif
        conv2D(p, plan: plan, input: input, filter: filter, output: convolved)
        maxPool2x2(pool, input: UnsafePointer(convolved), output: output)
    }

    /// Bit-exact with `Reference.depthwiseConv2D`. Channels innermost (contiguous in HWC weights
    /// and NHWC input), a block of `ChannelBlock.count` at a time: the block's folded biases are
    /// computed once, then for each output pixel every tap is one multiply-add over the block;
    /// taps outside the image use the value `inputZeroPoint`.
    public static func depthwiseConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        trace(.depthwiseConv2D, .portable, .direct)
        let channels = p.input.channels
        let zeroPoint = p.inputZeroPoint
        var blockStart = 0
        while blockStart < channels {
            let n = min(ChannelBlock.count, channels - blockStart)
            var foldedBias = ChannelBlock(repeating: 0)
            for c in 0..<n {
                foldedBias[c] = filter.bias[blockStart + c]
            }
            for tap in 0..<(p.kernelHeight * p.kernelWidth) {
                let w = filter.weights + tap * channels + blockStart
                for c in 0..<n {
                    foldedBias[c] &-= zeroPoint &* Int32(w[c])
                }
            }
            for outY in 0..<p.output.height {
                for outX in 0..<p.output.width {
                    var acc = foldedBias
                    for kernelY in 0..<p.kernelHeight {
                        let inY = outY * p.strideHeight - p.padTop + kernelY
                        for kernelX in 0..<p.kernelWidth {
                            let inX = outX * p.strideWidth - p.padLeft + kernelX
                            let w = filter.weights + (kernelY * p.kernelWidth + kernelX) * channels + blockStart
                            if inY < 0 || inY >= p.input.height || inX < 0 || inX >= p.input.width {
                                for c in 0..<n {
                                    acc[c] &+= Int32(w[c]) &* zeroPoint
                                }
                            } else {
                                let x = input + (inY * p.input.width + inX) * channels + blockStart
                                for c in 0..<n {
                                    acc[c] &+= Int32(w[c]) &* Int32(x[c])
                                }
                            }
                        }
                    }
                    let out = output + (outY * p.output.width + outX) * channels + blockStart
                    for c in 0..<n {
                        let channel = blockStart + c
                        out[c] = requantizeToInt8(
                            acc[c], multiplier: filter.multipliers[channel], shift: filter.shifts[channel],
                            rounding: p.rounding, outputZeroPoint: p.outputZeroPoint,
                            outputMin: p.outputMin, outputMax: p.outputMax)
                    }
                }
            }
            blockStart += ChannelBlock.count
        }
    }
}
