#if arch(x86_64)
import CFacelyzrSIMD
#endif

extension Fast {
    /// Bit-exact with `Reference.fullyConnected`: per output, one contiguous pass computes
    /// `sum(w * x)` and `sum(w)` (x86-64 with AVX-512 VNNI: fz_avx512_dot), and
    /// `bias - inputZeroPoint * sum(w)` is added after the loop.
    public static func fullyConnected(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        for o in 0..<p.outputCount {
            let acc = accumulator(p, input: input, weights: filter.weights, bias: filter.bias, output: o)
            output[o] = requantizeToInt8(
                acc, multiplier: filter.multipliers[o], shift: filter.shifts[o], rounding: p.rounding,
                outputZeroPoint: p.outputZeroPoint, outputMin: p.outputMin, outputMax: p.outputMax)
        }
    }

    /// Bit-exact with `Reference.fullyConnectedAccumulators` (a head's raw int32 outputs).
    public static func fullyConnectedAccumulators(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int32>
    ) {
        for o in 0..<p.outputCount {
            output[o] = accumulator(p, input: input, weights: weights, bias: bias, output: o)
        }
    }

    @inline(__always)
    private static func accumulator(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output o: Int
    ) -> Int32 {
        let row = weights + o * p.inputCount
        var products: Int32 = 0
        var weightSum: Int32 = 0
        #if arch(x86_64)
        if fz_x86_kernel() == 2 {
            products = fz_avx512_dot(row, input, p.inputCount, &weightSum)
            return bias[o] &- p.inputZeroPoint &* weightSum &+ products
        }
        #endif
        for i in 0..<p.inputCount {
            let w = Int32(row[i])
            products &+= w &* Int32(input[i])
            weightSum &+= w
        }
        return bias[o] &- p.inputZeroPoint &* weightSum &+ products
    }
}
