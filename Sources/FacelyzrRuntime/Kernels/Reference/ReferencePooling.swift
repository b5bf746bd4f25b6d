extension Reference {
    /// 2x2 max pool, stride 2, valid padding: exact (docs/quantization.md "Pools"); the k x k
    /// max pool below at k = s = 2, no padding, no clamp.
    public static func maxPool2x2(
        _ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        maxPool(MaxPoolParameters(input: p.input, output: p.output, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2,
                                  padTop: 0, padLeft: 0),
                input: input, output: output)
    }

    /// k x k / stride s max pool, same or valid (TFLite MAX_POOL_2D int8): the largest stored
    /// value of the window's cells inside the input, then the clamp (docs/quantization.md "Max pool").
    public static func maxPool(
        _ p: MaxPoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        maxPool(p, outputMin: Int32(p.outputMin), outputMax: Int32(p.outputMax), input: input, output: output)
    }

    /// The max pool of either element type (int16: TFLite MAX_POOL_2D int16), clamped to
    /// `outputMin...outputMax` (in place of `p`'s int8 clamp).
    @inlinable
    public static func maxPool<T: ActivationElement>(
        _ p: MaxPoolParameters, outputMin: Int32, outputMax: Int32, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>
    ) {
        let channels = p.input.channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                for channel in 0..<channels {
                    var largest = T.min.int32
                    for ky in 0..<p.kernelHeight {
                        for kx in 0..<p.kernelWidth {
                            let inY = outY * p.strideHeight - p.padTop + ky
                            let inX = outX * p.strideWidth - p.padLeft + kx
                            guard inY >= 0, inY < p.input.height, inX >= 0, inX < p.input.width else { continue }
                            largest = max(largest, input[(inY * p.input.width + inX) * channels + channel].int32)
                        }
                    }
                    output[(outY * p.output.width + outX) * channels + channel] = T(narrowing: min(max(largest, outputMin), outputMax))
                }
            }
        }
    }

    /// 2x2 average pool, stride 2, valid padding: the sum of the four stored values divided
    /// by 4, rounded half away from zero (docs/quantization.md "Pools").
    public static func averagePool2x2(
        _ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        averagePool2x2(p, elements: input, output: output)
    }

    /// The 2x2 average pool of either element type (int16: TFLite AVERAGE_POOL_2D int16, the same rounding).
    @inlinable
    public static func averagePool2x2<T: ActivationElement>(
        _ p: PoolParameters, elements input: UnsafePointer<T>, output: UnsafeMutablePointer<T>
    ) {
        let channels = p.input.channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                for channel in 0..<channels {
                    var sum: Int32 = 0
                    for dy in 0..<2 {
                        for dx in 0..<2 {
                            let inY = 2 * outY + dy
                            let inX = 2 * outX + dx
                            sum += input[(inY * p.input.width + inX) * channels + channel].int32
                        }
                    }
                    output[(outY * p.output.width + outX) * channels + channel] = T(narrowing: roundedAverage(sum: sum, count: 4))
                }
            }
        }
    }

    /// Global average pool: each channel's `height * width` stored values summed and divided
    /// by their count, rounded half away from zero (docs/quantization.md "Pools").
    /// Writes `shape.channels` values.
    public static func globalAveragePool(
        _ shape: TensorShape, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        globalAveragePool(shape, elements: input, output: output)
    }

    /// The global average pool of either element type, the sum in int64 (2^16 int16 values
    /// can exceed int32; docs/quantization.md "16-bit activations").
    @inlinable
    public static func globalAveragePool<T: ActivationElement>(
        _ shape: TensorShape, elements input: UnsafePointer<T>, output: UnsafeMutablePointer<T>
    ) {
        let count = shape.height * shape.width
        let divisor = widen(Int32(truncatingIfNeeded: count))
        for channel in 0..<shape.channels {
            var sum: Int64 = 0
            for position in 0..<count {
                sum &+= widen(input[position * shape.channels + channel].int32)
            }
            let half = divisor / 2
            output[channel] = T(narrowing: Int32(truncatingIfNeeded: sum >= 0 ? (sum &+ half) / divisor : (sum &- half) / divisor))
        }
    }
}
