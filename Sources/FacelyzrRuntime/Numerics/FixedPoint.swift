// gemmlowp's fixed-point primitives, written from docs/quantization.md "Double rounding".

/// `round(a * b / 2^31)` with ties toward +infinity (gemmlowp's nudge, then truncating
/// division); the one overflowing case `Int32.min * Int32.min` saturates to `Int32.max`.
@inlinable
public func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == Int32.min && b == Int32.min { return Int32.max }
    let product = widen(a) &* widen(b)
    let nudge: Int64 = product >= 0 ? 1_073_741_824 : -1_073_741_823  // 2^30 or 1 - 2^30
    // Swift's `/` truncates toward zero, like C's.
    return Int32(truncatingIfNeeded: (product &+ nudge) / 2_147_483_648)
}

/// `round(x / 2^exponent)` with ties away from zero, for `exponent` in `[0, 31]`.
@inlinable
public func roundingDivideByPowerOfTwo(_ x: Int32, _ exponent: Int32) -> Int32 {
    let mask = Int32(truncatingIfNeeded: (Int64(1) &<< widen(exponent)) &- 1)
    let remainder = x & mask
    let threshold = (mask &>> 1) &+ (x < 0 ? 1 : 0)
    return (x &>> exponent) &+ (remainder > threshold ? 1 : 0)
}
