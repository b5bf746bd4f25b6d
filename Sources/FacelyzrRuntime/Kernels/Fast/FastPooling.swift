extension Fast {
    /// Bit-exact with `Reference.maxPool2x2`: channels innermost over the window's two rows.
    public static func maxPool2x2(
        _ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        trace(.maxPool2x2, .portable, .direct)
        let channels = p.input.channels
        let rowStride = p.input.width * channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                let top = input + (2 * outY * p.input.width + 2 * outX) * channels
                let bottom = top + rowStride
                let out = output + (outY * p.output.width + outX) * channels
                for c in 0..<channels {
                    out[c] = max(max(top[c], top[c + channels]), max(bottom[c], bottom[c + channels]))
                }
            }
        }
    }

    /// Bit-exact with `Reference.maxPool`: per output pixel, the window's in-image pixels
    /// (bounds worked out once per row and column, not per tap) maxed into the output channels
    /// innermost, a contiguous loop the compiler vectorises (`pmaxsb`/`smax` on 16 or 32 bytes),
    /// then the clamp. `output` does not overlap `input`.
    public static func maxPool(
        _ p: MaxPoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        trace(.maxPool, .portable, .direct)
        let channels = p.input.channels
        for outY in 0..<p.output.height {
            let rows = p.window(outY, stride: p.strideHeight, pad: p.padTop, kernel: p.kernelHeight, input: p.input.height)
            for outX in 0..<p.output.width {
                let columns = p.window(outX, stride: p.strideWidth, pad: p.padLeft, kernel: p.kernelWidth, input: p.input.width)
                let out = output + (outY * p.output.width + outX) * channels
                for c in 0..<channels { out[c] = Int8.min }
                for ky in rows.first..<rows.end {
                    let row = input + ((rows.origin + ky) * p.input.width + columns.origin) * channels
                    for kx in columns.first..<columns.end {
                        let pixel = row + kx * channels
                        for c in 0..<channels { out[c] = max(out[c], pixel[c]) }
                    }
                }
                for c in 0..<channels { out[c] = min(max(out[c], p.outputMin), p.outputMax) }
            }
        }
    }

    /// Bit-exact with `Reference.averagePool2x2`: channels innermost over the window's two rows.
    public static func averagePool2x2(
        _ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        trace(.averagePool2x2, .portable, .direct)
        let channels = p.input.channels
        let rowStride = p.input.width * channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                let top = input + (2 * outY * p.input.width + 2 * outX) * channels
                let bottom = top + rowStride
                let out = output + (outY * p.output.width + outX) * channels
                for c in 0..<channels {
                    let sum = Int32(top[c]) &+ Int32(top[c + channels]) &+ Int32(bottom[c]) &+ Int32(bottom[c + channels])
                    out[c] = Int8(truncatingIfNeeded: roundedAverage(sum: sum, count: 4))
                }
            }
        }
    }

    /// Bit-exact with `Reference.globalAveragePool`: up to 256 contiguous channels at a time,
    /// summed over all positions into int32 sums in a stack buffer (a contiguous loop the
    /// compiler vectorises; with `ChannelBlock` it did not, 0.9 us for 8x8x64 on x86-64).
    public static func globalAveragePool(
        _ shape: TensorShape, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        trace(.globalAveragePool, .portable, .direct)
        let channels = shape.channels
        let count = shape.height * shape.width
        let divisor = Int32(truncatingIfNeeded: count)
        let block = 256
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: block) { buffer in
            let sums = buffer.baseAddress!
            var blockStart = 0
            while blockStart < channels {
                let n = min(block, channels - blockStart)
                for c in 0..<n { sums[c] = 0 }
                for position in 0..<count {
                    let x = input + position * channels + blockStart
                    for c in 0..<n {
                        sums[c] &+= Int32(x[c])
                    }
                }
                for c in 0..<n {
                    output[blockStart + c] = Int8(truncatingIfNeeded: roundedAverage(sum: sums[c], count: divisor))
                }
                blockStart += block
            }
        }
    }
}
