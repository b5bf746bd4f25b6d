// Dequantisation of a head's raw int32 outputs, docs/quantization.md "Heads".

/// The float32 scale of a head's raw accumulators, `inputScale * weightScale` (one float32
/// multiply), computed once at export time and stored with the head.
public func headOutputScale(inputScale: Float, weightScale: Float) -> Float {
    inputScale * weightScale
}

/// A head's real output from its raw int32 accumulator: `Float(accumulator) * scale`
/// (the conversion rounds to nearest even, then one float32 multiply).
@inlinable
public func dequantizeHeadOutput(_ accumulator: Int32, scale: Float) -> Float {
    Float(Int(accumulator)) * scale  // via Int: see Widening.swift
}
