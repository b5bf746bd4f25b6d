extension Reference {
    /// Pad (docs/quantization.md "Pad"): each output cell is the input cell it covers, or its
    /// channel's value (the zero point without values). Exact; `output` does not overlap `input`.
    public static func pad(_ p: PadParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        pad(p, elements: input, output: output)
    }

    /// The pad of either element type; an int16 pad (format version 5) fills with its zero point,
    /// 0 (`p.values` nil).
    @inlinable
    public static func pad<T: ActivationElement>(_ p: PadParameters, elements input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        for y in 0..<p.output.height {
            for x in 0..<p.output.width {
                for c in 0..<p.output.channels {
                    let (inY, inX, inC) = (y - p.top, x - p.left, c - p.channelsBefore)
                    let inside = inY >= 0 && inY < p.input.height && inX >= 0 && inX < p.input.width
                        && inC >= 0 && inC < p.input.channels
                    output[(y * p.output.width + x) * p.output.channels + c] =
                        inside ? input[(inY * p.input.width + inX) * p.input.channels + inC]
                        : T(narrowing: Int32(p.values?[c] ?? p.zeroPoint))
                }
            }
        }
    }
}
