/// The fast int8 kernels: portable Swift over unsafe pointers, bit-exact with `Reference`
/// (docs/quantization.md "Accumulation": the input zero point is folded into the bias and
/// taps outside the image count as the value `inputZeroPoint`).
///
/// Inner loops run over contiguous memory so the compiler can vectorise them. The functions
/// have exactly the signatures of `Reference`'s and need no scratch memory: per-channel int32
/// accumulators live on the stack, `ChannelBlock.count` channels at a time.
public enum Fast {
    /// Int32 accumulators for a block of channels, on the stack.
    typealias ChannelBlock = InlineArray<16, Int32>
}

extension Fast {
    /// `sum(w[i] * x[i])` over `count` int8 pairs, wrapping int32.
    @inline(__always)
    static func dot(_ w: UnsafePointer<Int8>, _ x: UnsafePointer<Int8>, count: Int) -> Int32 {
        var acc: Int32 = 0
        for i in 0..<count {
            acc &+= Int32(w[i]) &* Int32(x[i])
        }
        return acc
    }

    /// `sum(w[i])` over `count` int8 values.
    @inline(__always)
    static func sum(_ w: UnsafePointer<Int8>, count: Int) -> Int32 {
        var acc: Int32 = 0
        for i in 0..<count {
            acc &+= Int32(w[i])
        }
        return acc
    }
}
