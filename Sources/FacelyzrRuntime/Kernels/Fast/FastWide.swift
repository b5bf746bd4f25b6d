extension Fast {
    /// Bit-exact with `Reference.wideConvolution` (docs/quantization.md section 11). A conv2D
    /// sums, per output channel and kernel row, the in-image columns of that row as one
    /// contiguous dot product (OHWI weights and HWC input are both contiguous over them) in int32
    /// chunks of at most `wideChunk` terms, each widened into the int64 accumulator: every chunk
    /// is below 2^30 in magnitude (`|w| <= 127`, `|x - zp| <= 2^15` for int16, 255 for int8), so
    /// the sum is the reference's exactly. A depthwise convolution runs the reference kernel.
    @inlinable
    public static func wideConvolution<In: ActivationElement, Out: ActivationElement>(
        _ p: ConvolutionParameters, depthwise: Bool, input: UnsafePointer<In>, filter: WideWeights, output: UnsafeMutablePointer<Out>
    ) {
        if depthwise {
            Reference.wideConvolution(p, depthwise: true, input: input, filter: filter, output: output)
            return
        }
        let inChannels = p.input.channels
        for outY in 0..<p.output.height {
            let originY = outY * p.strideHeight - p.padTop
            let firstY = max(0, -originY), endY = min(p.kernelHeight, p.input.height - originY)
            for outX in 0..<p.output.width {
                let originX = outX * p.strideWidth - p.padLeft
                let firstX = max(0, -originX), endX = min(p.kernelWidth, p.input.width - originX)
                let length = (endX - firstX) * inChannels
                for outChannel in 0..<p.output.channels {
                    var acc: Int64 = 0
                    if length > 0 {
                        for kernelY in firstY..<endY {
                            let x = input + ((originY + kernelY) * p.input.width + originX + firstX) * inChannels
                            let w = filter.weights + ((outChannel * p.kernelHeight + kernelY) * p.kernelWidth + firstX) * inChannels
                            acc &+= wideDot(w, x, count: length, zeroPoint: p.inputZeroPoint)
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

    /// Terms of one int32 chunk of `wideDot`.
    @inlinable static var wideChunk: Int { 256 }

    /// `sum(w[i] * (x[i] - zeroPoint))` over `count` terms, exact in int64 (int32 chunks).
    @inlinable @inline(__always)
    static func wideDot<In: ActivationElement>(_ w: UnsafePointer<Int8>, _ x: UnsafePointer<In>, count: Int, zeroPoint: Int32) -> Int64 {
        var total: Int64 = 0
        var start = 0
        while start < count {
            let end = min(start + wideChunk, count)
            var partial: Int32 = 0
            for i in start..<end {
                partial &+= Int32(w[i]) &* (x[i].int32 &- zeroPoint)
            }
            total &+= widen(partial)
            start = end
        }
        return total
    }
}
