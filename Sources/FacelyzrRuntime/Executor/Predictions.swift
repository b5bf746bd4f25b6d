extension Model {
    /// The head that owns head output `index`.
    public func head(owning index: Int) -> HeadDescription {
        var h = 0
        while h + 1 < headCount && head(h + 1).firstOutput <= index { h += 1 }
        return head(h)
    }

    /// What head output `index` means, from the int32 `outputs` `predict` wrote: a probability
    /// `sigmoid(scale * accumulator)` for binary and multi-label heads, the value
    /// `scale * accumulator` for regression heads (docs/quantization.md "Heads").
    public func prediction(output index: Int, outputs: UnsafePointer<Int32>) -> Float {
        let value = dequantizeHeadOutput(outputs[index], scale: outputScale(index))
        switch head(owning: index).kind {
        case .binary, .multiLabel: return sigmoid(value)
        case .regression: return value
        }
    }
}
