#if arch(x86_64)
import CFacelyzrSIMD
#endif

extension Fast {
    /// Bit-exact with `Reference.fullyConnected`: per output, one contiguous pass computes
    /// `sum(w * x)` and `sum(w)` (with the plan's `avx512Dot`: fz_avx512_dot), and
    /// `bias - inputZeroPoint * sum(w)` is added after the loop.
    public static func fullyConnected(
        _ p: FullyConnectedParameters, plan: KernelPlan = .canonical, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>
    ) {
        let avx512 = plan.variant == .avx512Dot
        trace(.fullyConnected, dotVariant(avx512: avx512), .direct)
        for o in 0..<p.outputCount {
            let acc = accumulator(p, input: input, weights: filter.weights, bias: filter.bias, output: o, avx512: avx512)
            output[o] = requantizeToInt8(
                acc, multiplier: filter.multipliers[o], shift: filter.shifts[o], rounding: p.rounding,
                outputZeroPoint: p.outputZeroPoint, outputMin: p.outputMin, outputMax: p.outputMax)
        }
    }

    /// Bit-exact with `Reference.fullyConnectedAccumulators` (a head's raw int32 outputs).
    public static func fullyConnectedAccumulators(
        _ p: FullyConnectedParameters, plan: KernelPlan = .canonical, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int32>
    ) {
        let avx512 = plan.variant == .avx512Dot
        trace(.fullyConnectedAccumulators, dotVariant(avx512: avx512), .direct)
        for o in 0..<p.outputCount {
            output[o] = accumulator(p, input: input, weights: weights, bias: bias, output: o, avx512: avx512)
        }
    }

    /// The variant `accumulator` runs on this ISA (`avx512` as there).
    @inline(__always)
    static func dotVariant(avx512: Bool) -> KernelVariant {
        #if arch(x86_64)
        avx512 ? .avx512Dot : .portable
        #else
        .portable
        #endif
    }

    /// Output `o`'s accumulator; `avx512`: x86-64 only, the plan's variant is `avx512Dot`.
    @inline(__always)
    private static func accumulator(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output o: Int, avx512: Bool
    ) -> Int32 {
        let row = weights + o * p.inputCount
        var products: Int32 = 0
        var weightSum: Int32 = 0
        #if arch(x86_64)
        if avx512 {
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
