// Requantisation of an int32 accumulator to int8, docs/quantization.md "Requantization".

/// Scales an int32 accumulator by `multiplier / 2^31 * 2^shift` with the rounding of `rounding`.
///
/// `multiplier` is in `[0, 2^31 - 1]` and `shift` in `[-31, 30]` (the blob validator checks
/// both). The result saturates to int32.
/// - `.double`: `roundingDivideByPowerOfTwo(saturatingRoundingDoublingHighMul(x * 2^left, M), right)`
///   with `left = max(shift, 0)`, `right = max(-shift, 0)`, the left shift saturating to int32.
/// - `.single`: `(x * M + 2^(30 - shift)) >> (31 - shift)` in int64 (an arithmetic shift, so
///   ties go toward +infinity).
@inlinable
public func requantize(_ acc: Int32, multiplier: Int32, shift: Int32, rounding: RoundingMode) -> Int32 {
    switch rounding {
    case .double:
        let left = shift > 0 ? shift : 0
        let right = shift > 0 ? 0 : -shift
        let shifted = saturatingNarrow(widen(acc) &<< widen(left))
        return roundingDivideByPowerOfTwo(saturatingRoundingDoublingHighMul(shifted, multiplier), right)
    case .single:
        let total = widen(31 &- shift)
        let rounded = (widen(acc) &* widen(multiplier) &+ (Int64(1) &<< (total &- 1))) &>> total
        return saturatingNarrow(rounded)
    }
}

/// The output stage of every requantising kernel: requantize, add the output zero point,
/// clamp to `[outputMin, outputMax]` (the fused activation), narrow to int8.
///
/// `outputZeroPoint`, `outputMin` and `outputMax` are in `[-128, 127]`; the zero point is
/// added without overflow (docs/quantization.md "Output stage").
@inlinable
public func requantizeToInt8(
    _ acc: Int32, multiplier: Int32, shift: Int32, rounding: RoundingMode,
    outputZeroPoint: Int32, outputMin: Int32, outputMax: Int32
) -> Int8 {
    let scaled = requantize(acc, multiplier: multiplier, shift: shift, rounding: rounding)
    // Clamping to [-256, 255] first cannot change the final clamp to a subrange of
    // [-128, 127] once a zero point in [-128, 127] is added, and keeps the add in range.
    let shiftedToOutput = min(max(scaled, -256), 255) &+ outputZeroPoint
    return Int8(truncatingIfNeeded: min(max(shiftedToOutput, outputMin), outputMax))
}

/// `sum / count` rounded half away from zero (average pools, docs/quantization.md "Pools"):
/// `(sum + count/2) / count` for `sum >= 0`, `(sum - count/2) / count` otherwise, with
/// truncating division. `count` is positive.
@inlinable
public func roundedAverage(sum: Int32, count: Int32) -> Int32 {
    sum >= 0 ? (sum &+ count / 2) / count : (sum &- count / 2) / count
}
