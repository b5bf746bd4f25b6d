extension Reference {
    /// 2x2 max pool, stride 2, valid padding: exact (docs/quantization.md "Pools").
    public static func maxPool2x2(
        _ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        let channels = p.input.channels
        for outY in 0..<p.output.height {
            for outX in 0..<p.output.width {
                for channel in 0..<channels {
                    var largest = Int8.min
                    for dy in 0..<2 {
                        for dx in 0..<2 {
                            let inY = 2 * outY + dy
                            let inX = 2 * outX + dx
                            largest = max(largest, input[(inY * p.input.width + inX) * channels + channel])
                        }
                    }
                    output[(outY * p.output.width + outX) * channels + channel] = largest
                }
            }
        }
    }

    /// 2x2 average pool, stride 2, valid padding: the sum of the four stored values divided
    /// by 4, rounded half away from zero (docs/quantization.md "Pools").
    public static func averagePool2x2(
        _ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
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
                            sum += Int32(input[(inY * p.input.width + inX) * channels + channel])
                        }
                    }
                    output[(outY * p.output.width + outX) * channels + channel] =
                        Int8(truncatingIfNeeded: roundedAverage(sum: sum, count: 4))
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
        let count = shape.height * shape.width
        for channel in 0..<shape.channels {
            var sum: Int32 = 0
            for position in 0..<count {
                sum &+= Int32(input[position * shape.channels + channel])
            }
            output[channel] = Int8(truncatingIfNeeded: roundedAverage(sum: sum, count: Int32(count)))
        }
    }
}
