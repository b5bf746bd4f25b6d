// TFLite's QuantizeMultiplier, written from docs/quantization.md "Multiplier and shift".
// Runs at export time (quantizer, builder), never during inference.

/// The requantisation factor of an op output channel, in double from the float32 scales:
/// `Double(inputScale) * Double(weightScale) / Double(outputScale)` (docs/quantization.md).
public func effectiveScale(inputScale: Float, weightScale: Float, outputScale: Float) -> Double {
    Double(inputScale) * Double(weightScale) / Double(outputScale)
}

/// Splits a real multiplier into a Q31 multiplier `M` and a power-of-two `shift` so that
/// `real ≈ M / 2^31 * 2^shift`, exactly as TFLite's `QuantizeMultiplier` does
/// (docs/quantization.md "Multiplier and shift").
///
/// `real` is decomposed like `frexp` (`q` in `[0.5, 1)`), `q * 2^31` is rounded half away
/// from zero, a result of `2^31` is halved with the shift bumped, and a shift below -31
/// gives `(0, 0)`. Zero gives `(0, 0)`. The caller checks that the shift is at most 30
/// (the range the blob validator accepts) and that `real` is finite and not negative.
public func quantizeMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32) {
    guard real != 0, real.isFinite else { return (0, 0) }
    // frexp: real = q * 2^e with |q| in [0.5, 1). Double.exponent/significand give
    // real = significand * 2^exponent with significand in [1, 2) (also for subnormals).
    let q = real.significand / 2 * (real.sign == .minus ? -1 : 1)
    var shift = real.exponent + 1
    // q * 2^31 is exact (a power-of-two scaling) and below 2^31 in magnitude, so truncating
    // it and the fraction left over are exact too; rounding half away from zero without libm.
    let scaled = q * 2147483648.0
    var fixed = Int64(scaled)
    let fraction = scaled - Double(fixed)
    if fraction >= 0.5 { fixed += 1 } else if fraction <= -0.5 { fixed -= 1 }
    if fixed == 2_147_483_648 {  // 2^31
        fixed /= 2
        shift += 1
    }
    if shift < -31 { return (0, 0) }
    return (Int32(truncatingIfNeeded: fixed), Int32(truncatingIfNeeded: min(shift, 1 << 16)))
}
