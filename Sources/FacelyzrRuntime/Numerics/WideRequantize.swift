// Requantisation of a 16x8 op's int64 accumulator (docs/quantization.md "16-bit activations"):
// TFLite's `MultiplyByQuantizedMultiplier(int64_t x, int32_t quantized_multiplier, int shift)`
// (tensorflow/lite/kernels/internal/common.cc; one rounding, the same with and without
// TFLITE_SINGLE_ROUNDING), then the output zero point and the clamp.

/// `x * multiplier / 2^31 * 2^shift` as TFLite computes it for int64 accumulators: the Q31
/// multiplier reduced to Q15, `(multiplier + 2^15) >> 16` (0x7FFF from 0x7FFF0000 up), then
/// `(x * reduced + 2^(14 - shift)) >> (15 - shift)`: one rounding, ties toward +infinity.
///
/// `multiplier` is in `[0, 2^31 - 1]`, `shift` in `[-31, 7]` and `|x| < 2^47` (the blob
/// validator checks all three), so nothing overflows; the result is not narrowed (TFLite assumes
/// it fits int32; `wideOutputStage` clamps it).
@inlinable
public func multiplyByQuantizedMultiplier(_ x: Int64, multiplier: Int32, shift: Int32) -> Int64 {
    let reduced: Int64 = multiplier < 0x7FFF_0000 ? (widen(multiplier) &+ 32_768) &>> Int64(16) : 0x7FFF
    let total = widen(15 &- shift)
    return (x &* reduced &+ (Int64(1) &<< (total &- 1))) &>> total
}

/// The output stage of a 16x8 op: `multiplyByQuantizedMultiplier`, plus the output zero point
/// (0 for an int16 output), clamped to `[outputMin, outputMax]` (a range of the output's type).
/// Where TFLite's int32 result would not fit (outside its stated assumption) this saturates.
@inlinable
public func wideOutputStage(
    _ acc: Int64, multiplier: Int32, shift: Int32, outputZeroPoint: Int32, outputMin: Int32, outputMax: Int32
) -> Int32 {
    let value = multiplyByQuantizedMultiplier(acc, multiplier: multiplier, shift: shift) &+ widen(outputZeroPoint)
    if value < widen(outputMin) { return outputMin }
    if value > widen(outputMax) { return outputMax }
    return Int32(truncatingIfNeeded: value)
}

/// A head's int64 accumulator (16-bit input) as the int32 head output: saturated to int32.
@inlinable
public func saturatingHeadOutput(_ acc: Int64) -> Int32 { saturatingNarrow(acc) }
