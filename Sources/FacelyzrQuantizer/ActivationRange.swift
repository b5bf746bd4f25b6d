import FacelyzrBlobBuilder

/// A real interval an int8 activation covers, and its asymmetric quantization
/// (docs/quantization.md "Quantizer": the range is widened to hold 0, then
/// `s = (hi - lo) / 255` and `zp = round(-128 - lo / s)`, so real 0 is exactly representable).
public struct ActivationRange: Sendable, Hashable, Codable {
    public var low: Float
    public var high: Float

    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }

    /// Scale and zero point covering `[min(low, 0), max(high, 0)]` with the 256 int8 levels. A
    /// ReLU output (`low = 0`) gets zero point -128 and all 256 levels on `[0, high]`.
    public var quantization: BlobBuilder.Quantization {
        let lo = min(low, 0), hi = max(high, 0)
        let width = hi - lo
        guard width > 0, width.isFinite else { return BlobBuilder.Quantization(scale: 1.0 / 255, zeroPoint: -128) }
        let scale = width / 255
        let zp = (-128 - Double(lo) / Double(scale)).rounded(.toNearestOrAwayFromZero)
        return BlobBuilder.Quantization(scale: scale, zeroPoint: Int32(max(-128, min(127, zp))))
    }
}

extension ActivationRange {
    /// The int16 quantization (docs/quantization.md "16-bit activations"): symmetric, zero point
    /// 0, `s = max(|low|, |high|) / 32767`, as TFLite's 16x8 mode.
    public var quantization16: BlobBuilder.Quantization {
        let magnitude = max(abs(low), abs(high))
        guard magnitude > 0, magnitude.isFinite else { return BlobBuilder.Quantization(scale: 1.0 / 32767, zeroPoint: 0, element: .nhwcInt16) }
        return BlobBuilder.Quantization(scale: magnitude / 32767, zeroPoint: 0, element: .nhwcInt16)
    }
}

extension BlobBuilder.Quantization {
    /// `clamp(round(x / s) + zp, -128, 127)`: the int8 a real value becomes.
    public func quantize(_ x: Float) -> Int8 {
        let q = (Double(x) / Double(scale)).rounded(.toNearestOrAwayFromZero) + Double(zeroPoint)
        return Int8(max(-128, min(127, q)))
    }

    /// `s * (q - zp)`.
    public func dequantize(_ q: Int8) -> Float { scale * Float(Int32(q) - zeroPoint) }
}
