// Per-output-channel symmetric int8 weights and int32 biases, docs/quantization.md "Real values"
// and "Quantizer".

/// One layer's weights as int8, one symmetric scale per output channel (zero point 0).
public struct ChannelQuantizedWeights: Sendable, Equatable {
    /// `channels x perChannel` values in [-127, 127], in the float tensor's order (OHWI or `[out][in]`).
    public var values: [Int8]
    /// `s_w[c] = max|w[c]| / 127`; 0 for a channel whose weights are all zero.
    public var scales: [Float]
    public var perChannel: Int

    public var channels: Int { scales.count }

    /// The real value `scales[c] * values[i]` of every weight.
    public func dequantized() -> [Float] {
        values.indices.map { scales[$0 / perChannel] * Float(values[$0]) }
    }
}

/// Quantizes `weights` (`channels` rows of equal length) per output channel:
/// `s_w[c] = max|w| / 127`, `q = round(w / s_w[c])` half away from zero, so `|w - s_w q| <= s_w / 2`
/// and `q` stays in [-127, 127]. An all-zero channel gets scale 0 and zero weights.
public func quantizeWeightsPerChannel(_ weights: [Float], channels: Int) -> ChannelQuantizedWeights {
    precondition(channels > 0 && weights.count % channels == 0, "weights do not split into \(channels) channels")
    let perChannel = weights.count / channels
    var values = [Int8](repeating: 0, count: weights.count)
    var scales = [Float](repeating: 0, count: channels)
    for c in 0..<channels {
        let row = weights[(c * perChannel)..<((c + 1) * perChannel)]
        let largest = row.reduce(Float(0)) { max($0, abs($1)) }
        guard largest > 0 else { continue }
        let scale = largest / 127
        scales[c] = scale
        for i in row.indices {
            let q = (weights[i] / scale).rounded(.toNearestOrAwayFromZero)
            values[i] = Int8(max(-127, min(127, q)))
        }
    }
    return ChannelQuantizedWeights(values: values, scales: scales, perChannel: perChannel)
}

/// A layer's int32 (or a 16x8 op's int64) biases and the channels whose bias did not fit.
public struct QuantizedBias: Sendable, Equatable {
    /// `round(b[c] / (s_in * s_w[c]))` half away from zero, saturated to the range asked for.
    public var values: [Int64]
    /// The scale of each value, `s_in * s_w[c]` (float32, as the head outputs store it).
    public var scales: [Float]
    /// Channels whose bias was saturated (reported, never silent).
    public var saturatedChannels: [Int]
}

/// Quantizes biases with scale `s_in * s_w[c]`, zero point 0, saturating to int32 and reporting
/// which channels saturated. A channel with weight scale 0 gets bias 0 (its multiplier is 0,
/// docs/quantization.md); see `zeroChannelScale` for a zero channel whose bias matters.
/// `range`: int32's, or a 16x8 op's `±BlobFormat.maximumWideBias` (docs/quantization.md "16-bit activations").
public func quantizeBias(
    _ bias: [Float], inputScale: Float, weightScales: [Float], range: ClosedRange<Int64> = Int64(Int32.min)...Int64(Int32.max)
) -> QuantizedBias {
    precondition(bias.count == weightScales.count)
    var values = [Int64](repeating: 0, count: bias.count)
    var scales = [Float](repeating: 0, count: bias.count)
    var saturated: [Int] = []
    for c in bias.indices {
        let scale = inputScale * weightScales[c]
        scales[c] = scale
        guard scale > 0 else { continue }
        let q = (Double(bias[c]) / Double(scale)).rounded(.toNearestOrAwayFromZero)
        if q > Double(range.upperBound) || q < Double(range.lowerBound) { saturated.append(c) }
        values[c] = Int64(max(Double(range.lowerBound), min(Double(range.upperBound), q)))
    }
    return QuantizedBias(values: values, scales: scales, saturatedChannels: saturated)
}

/// Weight scale for an all-zero channel: 0 (multiplier 0, output = zero point, the contract's rule)
/// when its bias is 0 too; otherwise a nominal scale putting the bias at `2^20` steps of
/// `s_in * s_w`, so the channel still outputs its bias instead of silently dropping it.
public func zeroChannelScale(bias: Float, inputScale: Float) -> Float {
    bias == 0 ? 0 : abs(bias) / (inputScale * 1_048_576)
}
